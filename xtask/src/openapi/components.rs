//! The spec's named components: one per shape, named by the rules of the names lock
//! ([`crate::naming::lock`]).

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema};

use crate::naming::lock::{self, LockedName, NamesLock};

/// The components made so far in one conversion, and the lock they make up.
pub(super) struct Components<'a> {
    lock: &'a NamesLock,
    locked: HashMap<&'a str, &'a str>,
    /// Locked names with a site in a doc being converted: not free for new sites.
    reserved: BTreeSet<&'a str>,
    /// Recorded fingerprint -> locked name, for new sites whose shape a lock entry recorded.
    by_shape: HashMap<&'a str, &'a str>,
    /// Locked names whose sites disagree and whose recorded shape decides (rule 2).
    contested: &'a BTreeSet<String>,
    /// Name -> schema, in creation order.
    schemas: IndexMap<String, Schema>,
    /// Name -> compact JSON of its schema, and the reverse (first name per JSON).
    json_of: HashMap<String, String>,
    by_json: HashMap<String, String>,
    sites: IndexMap<String, String>,
    /// Locked names found contested in this run: the conversion runs again with them.
    pub(super) newly_contested: BTreeSet<String>,
    pub(super) warnings: Vec<String>,
}

impl<'a> Components<'a> {
    /// `operations`: the operationIds being converted (their locked names are reserved).
    pub(super) fn new(
        lock: &'a NamesLock,
        operations: &BTreeSet<String>,
        contested: &'a BTreeSet<String>,
    ) -> Self {
        let reserved = lock
            .names
            .iter()
            .filter(|(_, e)| {
                e.sites
                    .iter()
                    .any(|s| operations.contains(lock::site_operation(s)))
            })
            .map(|(name, _)| name.as_str())
            .collect();
        let mut by_shape = HashMap::new();
        for (name, entry) in &lock.names {
            by_shape
                .entry(entry.shape.as_str())
                .or_insert(name.as_str());
        }
        Components {
            lock,
            locked: lock.by_site(),
            reserved,
            by_shape,
            contested,
            schemas: IndexMap::new(),
            json_of: HashMap::new(),
            by_json: HashMap::new(),
            sites: IndexMap::new(),
            newly_contested: BTreeSet::new(),
            warnings: Vec::new(),
        }
    }

    /// Whether the lock names the component used at `site`.
    pub(super) fn is_locked(&self, site: &str) -> bool {
        self.locked.contains_key(site)
    }

    /// Registers `schema`, used at `site`, as a component (or finds the one it shares) and
    /// returns its `$ref`. `preferred` are the names a new component would like, best first.
    pub(super) fn intern(
        &mut self,
        site: String,
        schema: Schema,
        preferred: &[String],
    ) -> ReferenceOr<Schema> {
        // Plain data with string keys: serializing cannot fail.
        let json = serde_json::to_string(&schema).unwrap_or_default();
        let name = self.choose(&site, &json, preferred);
        if !self.schemas.contains_key(&name) {
            self.by_json
                .entry(json.clone())
                .or_insert_with(|| name.clone());
            self.json_of.insert(name.clone(), json);
            self.schemas.insert(name.clone(), schema);
        }
        self.sites.insert(site, name.clone());
        ReferenceOr::ref_(&format!("#/components/schemas/{name}"))
    }

    fn choose(&mut self, site: &str, json: &str, preferred: &[String]) -> String {
        let mut displaced = None;
        if let Some(&locked) = self.locked.get(site) {
            let recorded = self.lock.shape(locked);
            let matches_record = recorded == Some(lock::fingerprint(json).as_str());
            match self.json_of.get(locked) {
                Some(held) if held == json => return locked.to_string(),
                Some(held) => {
                    let holder_matches = recorded == Some(lock::fingerprint(held).as_str());
                    if matches_record && !holder_matches {
                        // The holder is the doc that changed: run again, this site keeps it.
                        self.newly_contested.insert(locked.to_string());
                    }
                    displaced = Some(locked);
                }
                None if !self.contested.contains(locked) || matches_record => {
                    return locked.to_string();
                }
                None => displaced = Some(locked),
            }
        }
        let name = self.unlocked_name(json, preferred);
        if let Some(old) = displaced {
            self.warnings.push(format!(
                "`{site}` was `{old}`, which other docs still use with another shape; it is now `{name}` (code naming it `{old}` must change)"
            ));
        }
        name
    }

    /// Rule 3 of the lock: the same shape's name, a recorded one, or a free preferred name.
    fn unlocked_name(&self, json: &str, preferred: &[String]) -> String {
        if let Some(name) = self.by_json.get(json) {
            return name.clone();
        }
        let recorded = self
            .by_shape
            .get(lock::fingerprint(json).as_str())
            .filter(|n| !self.schemas.contains_key(**n) && !self.contested.contains(**n));
        if let Some(name) = recorded {
            return name.to_string();
        }
        let free = |n: &str| !self.schemas.contains_key(n) && !self.reserved.contains(n);
        if let Some(name) = preferred.iter().find(|n| free(n)) {
            return name.clone();
        }
        let base = preferred.first().map_or("Schema", String::as_str);
        (2..)
            .map(|i| format!("{base}{i}"))
            .find(|n| free(n))
            .unwrap_or_else(|| base.to_string())
    }

    /// The components in name order, and the lock that records them.
    pub(super) fn finish(self) -> (IndexMap<String, ReferenceOr<Schema>>, NamesLock) {
        let mut lock = NamesLock::default();
        for (site, name) in self.sites {
            let entry = lock
                .names
                .entry(name.clone())
                .or_insert_with(|| LockedName {
                    shape: lock::fingerprint(self.json_of.get(&name).map_or("", String::as_str)),
                    sites: BTreeSet::new(),
                });
            entry.sites.insert(site);
        }
        let mut schemas: Vec<(String, Schema)> = self.schemas.into_iter().collect();
        schemas.sort_by(|a, b| a.0.cmp(&b.0));
        let schemas = schemas
            .into_iter()
            .map(|(name, s)| (name, ReferenceOr::Item(s)))
            .collect();
        (schemas, lock)
    }
}
