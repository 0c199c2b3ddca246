//! Which public items of a crate have neither a doc example nor a link to one, read from
//! rustdoc's JSON output (`--output-format json`).
//!
//! An item passes when its docs contain a code block or at least one resolved intra-doc link
//! (the item's `links` map): the link is how a method points at the type example that uses
//! it. Walked from the crate root as rustdoc lists it: modules, local re-exports (checked at
//! their target), types with their inherent methods and constants, traits with their items.
//! A re-export of another crate is checked on the `use` item itself. Enum variants, struct
//! fields and the items of trait impls are not checked.

use std::collections::HashSet;

use serde_json::Value;

/// The paths of the public items lacking both an example and a link, in the order rustdoc
/// lists them (crate root first).
///
/// # Errors
///
/// The JSON is not rustdoc's (no `root` or `index`, or an id the index does not hold).
pub fn missing(doc: &Value) -> Result<Vec<String>, String> {
    let index = doc
        .get("index")
        .and_then(Value::as_object)
        .ok_or("no `index` in the rustdoc JSON")?;
    let root = doc.get("root").ok_or("no `root` in the rustdoc JSON")?;
    let mut walk = Walk {
        index,
        seen: HashSet::new(),
        missing: Vec::new(),
    };
    let name = item(index, root)?
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("crate")
        .to_string();
    walk.visit(root, &name)?;
    Ok(walk.missing)
}

struct Walk<'a> {
    index: &'a serde_json::Map<String, Value>,
    seen: HashSet<String>,
    missing: Vec<String>,
}

impl Walk<'_> {
    fn check(&mut self, item: &Value, path: &str) {
        if !has_example_or_link(item) {
            self.missing.push(path.to_string());
        }
    }

    fn visit(&mut self, id: &Value, path: &str) -> Result<(), String> {
        if !self.seen.insert(key(id)) {
            return Ok(());
        }
        let it = item(self.index, id)?;
        self.check(it, path);
        let (kind, inner) = kind_of(it)?;
        match kind {
            "module" => {
                for child in array(inner, "items") {
                    let Some(c) = self.index.get(&key(child)) else {
                        continue; // an item of another crate
                    };
                    let (child_kind, child_inner) = kind_of(c)?;
                    if child_kind == "use" {
                        let name = child_inner
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("?");
                        let target = child_inner.get("id").filter(|t| !t.is_null());
                        let local = target.filter(|t| {
                            self.index
                                .get(&key(t))
                                .is_some_and(|t| t.get("crate_id") == Some(&Value::from(0)))
                        });
                        match local {
                            Some(target) => self.visit(target, &format!("{path}::{name}"))?,
                            None => self.check(c, &format!("{path}::{name}")),
                        }
                    } else {
                        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
                        self.visit(child, &format!("{path}::{name}"))?;
                    }
                }
            }
            "struct" | "enum" | "union" => {
                for impl_id in array(inner, "impls") {
                    let (_, imp) = kind_of(item(self.index, impl_id)?)?;
                    if !imp.get("trait").is_none_or(Value::is_null) {
                        continue; // trait impl items: documented by the trait
                    }
                    for member in array(imp, "items") {
                        let m = item(self.index, member)?;
                        if m.get("visibility").and_then(Value::as_str) == Some("public")
                            && self.seen.insert(key(member))
                        {
                            let name = m.get("name").and_then(Value::as_str).unwrap_or("?");
                            self.check(m, &format!("{path}::{name}"));
                        }
                    }
                }
            }
            "trait" => {
                for member in array(inner, "items") {
                    let m = item(self.index, member)?;
                    let name = m.get("name").and_then(Value::as_str).unwrap_or("?");
                    self.check(m, &format!("{path}::{name}"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A fenced code block (a doc test) or a resolved intra-doc link.
fn has_example_or_link(item: &Value) -> bool {
    let docs = item.get("docs").and_then(Value::as_str).unwrap_or("");
    let links = item
        .get("links")
        .and_then(Value::as_object)
        .is_some_and(|l| !l.is_empty());
    links || docs.contains("```")
}

fn key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn item<'a>(index: &'a serde_json::Map<String, Value>, id: &Value) -> Result<&'a Value, String> {
    index
        .get(&key(id))
        .ok_or_else(|| format!("id {id} is not in the rustdoc JSON index"))
}

/// The item's kind (`module`, `struct`, `use`, ...) and its kind-specific fields.
fn kind_of(item: &Value) -> Result<(&str, &Value), String> {
    item.get("inner")
        .and_then(Value::as_object)
        .and_then(|inner| inner.iter().next())
        .map(|(k, v)| (k.as_str(), v))
        .ok_or_else(|| {
            format!(
                "item without `inner`: {}",
                item.get("id").unwrap_or(&Value::Null)
            )
        })
}

fn array<'a>(inner: &'a Value, field: &str) -> &'a [Value] {
    inner
        .get(field)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}
