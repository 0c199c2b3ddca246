//! The schema rules of the change report: fields, types, enums, nullability and `$ref` names,
//! read in the direction of the body (request or response) they belong to.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Severity::{Breaking, Compatible};
use super::{Differ, Dir, array, flag, object, resolve};

const SCHEMA_REF: &str = "#/components/schemas/";

impl<'a> Differ<'a> {
    /// Compares two schemas found at `path` (a dot path of fields, empty for the body itself).
    pub(super) fn schema(&mut self, dir: Dir, label: &str, path: &str, o: &'a Value, n: &'a Value) {
        let site = site(label, path);
        let (oref, nref) = (schema_ref(o), schema_ref(n));
        match (oref, nref) {
            (Some(a), Some(b)) if a != b => {
                self.push(Breaking, format!("{site} type {a} renamed to {b}"))
            }
            (Some(a), None) => self.push(
                Breaking,
                format!("{site} type {a} replaced by an inline schema"),
            ),
            (None, Some(b)) => self.push(
                Breaking,
                format!("{site} inline schema replaced by type {b}"),
            ),
            _ => {}
        }
        let pair = (
            oref.unwrap_or("").to_string(),
            nref.unwrap_or("").to_string(),
        );
        let recursive = oref.is_some() && nref.is_some() && self.active.contains(&pair);
        if recursive {
            return;
        }
        self.active.push(pair);
        let (o, n) = (resolve(self.old, o), resolve(self.new, n));
        self.schema_body(dir, label, path, &site, o, n);
        self.active.pop();
    }

    fn schema_body(
        &mut self,
        dir: Dir,
        label: &str,
        path: &str,
        site: &str,
        o: &'a Value,
        n: &'a Value,
    ) {
        let (ty_o, ty_n) = (type_name(o), type_name(n));
        if ty_o != ty_n {
            self.push(
                Breaking,
                format!("{site} type changed from {ty_o} to {ty_n}"),
            );
            return;
        }
        let (fo, fno) = (o.get("format"), n.get("format"));
        if fo != fno {
            let show = |f: Option<&Value>| f.and_then(Value::as_str).unwrap_or("none").to_string();
            self.push(
                Breaking,
                format!("{site} format changed from {} to {}", show(fo), show(fno)),
            );
        }
        self.nullable(dir, site, flag(o, "nullable"), flag(n, "nullable"));
        self.enums(dir, site, o.get("enum"), n.get("enum"));
        self.properties(dir, label, path, o, n);
        if o.get("items").is_some() || n.get("items").is_some() {
            let any = &Value::Null;
            let (oi, ni) = (o.get("items").unwrap_or(any), n.get("items").unwrap_or(any));
            self.schema(dir, label, &format!("{path}[]"), oi, ni);
        }
        if let (Some(oa @ Value::Object(_)), Some(na @ Value::Object(_))) =
            (o.get("additionalProperties"), n.get("additionalProperties"))
        {
            self.schema(dir, label, &format!("{path}.*"), oa, na);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            let (ol, nl) = (array(o.get(key)), array(n.get(key)));
            if ol.len() != nl.len() {
                let msg = format!(
                    "{site} {key} changed from {} to {} schemas",
                    ol.len(),
                    nl.len()
                );
                self.push(Breaking, msg);
            } else {
                for (os, ns) in ol.iter().zip(nl) {
                    self.schema(dir, label, path, os, ns);
                }
            }
        }
    }

    fn nullable(&mut self, dir: Dir, site: &str, was: bool, is: bool) {
        match (was, is, dir) {
            // The client may now read a null it cannot hold.
            (false, true, Dir::Response) => self.push(Breaking, format!("{site} made nullable")),
            (false, true, Dir::Request) => self.push(Compatible, format!("{site} made nullable")),
            // The client may still send the null the server now refuses.
            (true, false, Dir::Request) => {
                self.push(Breaking, format!("{site} no longer nullable"))
            }
            (true, false, Dir::Response) => {
                self.push(Compatible, format!("{site} no longer nullable"))
            }
            _ => {}
        }
    }

    fn enums(&mut self, dir: Dir, site: &str, o: Option<&Value>, n: Option<&Value>) {
        match (o, n) {
            // Either way the Rust type changes between a string and a generated enum.
            (None, Some(_)) => self.push(Breaking, format!("{site} restricted to an enum")),
            (Some(_), None) => self.push(Breaking, format!("{site} no longer an enum")),
            (Some(o), Some(n)) => {
                let (old, new) = (enum_values(o), enum_values(n));
                for v in old.difference(&new) {
                    // Its Rust variant goes, and a client may still send it.
                    self.push(Breaking, format!("{site} enum value {v} removed"));
                }
                for v in new.difference(&old) {
                    let note = match dir {
                        Dir::Request => "",
                        // The generated enums are open: an older client reads the new value as
                        // `Unrecognized(String)` instead of failing to decode the body.
                        Dir::Response => " (older clients read it as Unrecognized)",
                    };
                    self.push(Compatible, format!("{site} enum value {v} added{note}"));
                }
            }
            (None, None) => {}
        }
    }

    fn properties(&mut self, dir: Dir, label: &str, path: &str, o: &'a Value, n: &'a Value) {
        let (old, new) = (object(o.get("properties")), object(n.get("properties")));
        let (old_req, new_req) = (required_fields(o), required_fields(n));
        for name in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let field = site(label, &child);
            let (was_req, is_req) = (
                old_req.contains(name.as_str()),
                new_req.contains(name.as_str()),
            );
            match (old.get(name), new.get(name)) {
                (Some(_), None) => self.push(Breaking, format!("{field} removed")),
                (None, Some(_)) if is_req && dir == Dir::Request => {
                    self.push(Breaking, format!("new required {field}"))
                }
                (None, Some(_)) => self.push(Compatible, format!("{field} added")),
                (Some(os), Some(ns)) => {
                    self.required_change(dir, &field, was_req, is_req);
                    self.schema(dir, label, &child, os, ns);
                }
                (None, None) => {}
            }
        }
    }
}

fn site(label: &str, path: &str) -> String {
    if path.is_empty() {
        label.to_string()
    } else {
        format!("{label} field {path}")
    }
}

/// The component a schema names, if it is a `$ref` to one.
fn schema_ref(v: &Value) -> Option<&str> {
    v.get("$ref")?.as_str()?.strip_prefix(SCHEMA_REF)
}

fn required_fields(v: &Value) -> BTreeSet<&str> {
    array(v.get("required"))
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn type_name(v: &Value) -> String {
    match v.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "any".to_string(),
    }
}

fn enum_values(v: &Value) -> BTreeSet<String> {
    array(Some(v))
        .iter()
        .map(|e| match e {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}
