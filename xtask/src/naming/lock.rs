//! The names lock, `spec/names.lock.json`: which component name every use site has.
//!
//! # Why
//!
//! Components are shared by shape across docs (one `Status`, one `ErrorEnvelope`), and a
//! preferred name such as `Status` can be wanted by several shapes. Deciding that afresh on
//! every run made a type's name depend on which other docs exist: adding docs whose status
//! enum had one more value once renamed the seed's `Status` to `PostUsersLogoutStatus` and
//! broke the SDK. So names, once given, are recorded and kept, as a lock file keeps versions.
//!
//! # What it records
//!
//! For every component name: the *sites* that use it (`<operationId> <where>`, e.g.
//! `post_users_logout response 400.errorCode`; parameters as `<operationId> query <name>`,
//! array items with a trailing `[]`) and a fingerprint of its schema (`shape`: 64-bit FNV-1a
//! of the schema's compact JSON).
//!
//! # The rules (see `Components::intern` in the converter)
//!
//! 1. A site listed in the lock gets its locked name, whatever its shape is now, so editing a
//!    doc keeps its names.
//! 2. When sites locked to one name now have different shapes (one of the docs sharing it was
//!    edited), the sites whose shape still matches the recorded fingerprint keep the name; the
//!    others get a new one, with a warning. Editing one doc never renames another's types.
//! 3. A new site reuses an existing component of the same shape (`Status` stays one type),
//!    else takes the first preferred name that no component and no locked site of a present
//!    doc holds, else a numbered one. Names of removed docs become free again.
//! 4. Docs are converted in operationId order, so file names and file order do not matter.
//!
//! `cargo xtask generate` writes the lock it used, extended by the new sites and without the
//! vanished ones; `cargo xtask check` fails when it is not up to date.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// The lock file, relative to the workspace root.
pub const LOCK_FILE: &str = "spec/names.lock.json";

/// The recorded names (see the [module docs](self)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamesLock {
    /// Component name -> what it was given to.
    pub names: BTreeMap<String, LockedName>,
}

/// One component name in the lock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedName {
    /// Fingerprint of the component's schema when the lock was written.
    pub shape: String,
    /// The use sites that have this name.
    pub sites: BTreeSet<String>,
}

impl NamesLock {
    /// Reads the lock's JSON; the error says what is wrong, for `<file>: <error>`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let lock: NamesLock = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = HashMap::new();
        for (name, entry) in &lock.names {
            for site in &entry.sites {
                if let Some(other) = seen.insert(site, name) {
                    return Err(format!(
                        "site `{site}` is locked to both `{other}` and `{name}`"
                    ));
                }
            }
        }
        Ok(lock)
    }

    /// The lock as checked in: pretty JSON, sorted, trailing newline.
    pub fn to_json(&self) -> String {
        // Maps with string keys and plain strings always serialize.
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Site -> locked name.
    pub fn by_site(&self) -> HashMap<&str, &str> {
        self.names
            .iter()
            .flat_map(|(name, e)| e.sites.iter().map(move |s| (s.as_str(), name.as_str())))
            .collect()
    }

    /// The recorded fingerprint of `name`.
    pub fn shape(&self, name: &str) -> Option<&str> {
        self.names.get(name).map(|e| e.shape.as_str())
    }
}

/// The fingerprint recorded for a schema: FNV-1a (64 bit) of its compact JSON, in hex. Written
/// out rather than taken from `std`, whose hashers may change between Rust releases.
pub fn fingerprint(json: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in json.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The operationId a site belongs to (its first word).
pub fn site_operation(site: &str) -> &str {
    site.split(' ').next().unwrap_or(site)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_fnv1a() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn a_site_locked_twice_is_rejected() {
        let text = r#"{"names": {"A": {"shape": "1", "sites": ["op x"]}, "B": {"shape": "2", "sites": ["op x"]}}}"#;
        assert_eq!(
            NamesLock::parse(text),
            Err("site `op x` is locked to both `A` and `B`".to_string())
        );
        let lock = NamesLock::parse(r#"{"names": {"A": {"shape": "1", "sites": ["op x"]}}}"#)
            .expect("valid");
        assert_eq!(NamesLock::parse(&lock.to_json()), Ok(lock));
    }
}
