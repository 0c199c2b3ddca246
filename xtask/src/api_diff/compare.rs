//! Two surfaces of one crate compared: what was removed, changed or added.
//!
//! Deliberately conservative: any change to the signature of an existing public item is
//! reported as breaking, even the few that are not (a new defaulted generic parameter, a
//! looser bound). A pull request labelled `breaking-change` overrides the verdict.

use std::collections::HashSet;

use super::walk::Surface;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub breaking: bool,
    pub path: String,
    /// One report line: `breaking: <path>: removed`.
    pub line: String,
}

/// The changes from `old` to `new`, by path. An item inside a removed or added one (the
/// methods of a removed type) is not listed again.
pub fn compare(old: &Surface, new: &Surface) -> Vec<Change> {
    let removed: HashSet<&str> = old
        .keys()
        .filter(|p| !new.contains_key(*p))
        .map(String::as_str)
        .collect();
    let added: HashSet<&str> = new
        .keys()
        .filter(|p| !old.contains_key(*p))
        .map(String::as_str)
        .collect();
    let mut changes = Vec::new();
    for (path, before) in old {
        match new.get(path) {
            None if !under(path, &removed) => changes.push(Change {
                breaking: true,
                path: path.clone(),
                line: format!("breaking: {path}: removed"),
            }),
            Some(after) if after.canon != before.canon => {
                // Two types of one name from different paths read the same; show the paths.
                let (from, to) = if after.display == before.display {
                    (&before.canon, &after.canon)
                } else {
                    (&before.display, &after.display)
                };
                changes.push(Change {
                    breaking: true,
                    path: path.clone(),
                    line: format!("breaking: {path}: signature changed: {from} => {to}"),
                });
            }
            _ => {}
        }
    }
    for (path, entry) in new {
        if old.contains_key(path) || under(path, &added) {
            continue;
        }
        changes.push(match entry.breaking_if_added {
            Some(why) => Change {
                breaking: true,
                path: path.clone(),
                line: format!("breaking: {path}: added, {why}"),
            },
            None => Change {
                breaking: false,
                path: path.clone(),
                line: format!("compatible: {path}: added"),
            },
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    changes
}

/// Whether a proper prefix of `path` (at a `::`) is in `set`.
fn under(path: &str, set: &HashSet<&str>) -> bool {
    path.match_indices("::")
        .any(|(at, _)| set.contains(&path[..at]))
}
