//! The breaking-change report: what changed between two OpenAPI descriptions, per operation,
//! and whether a client built from the old one still works (and compiles) against the new one.
//!
//! A small classifier over `serde_json::Value` rather than oasdiff: oasdiff is a Go program and
//! none of the package registries this project installs from ships it. The rules follow
//! oasdiff's for the wire (what a client sends is a request, what it reads is a response) and
//! cargo-semver-checks' for the generated Rust names (a renamed or removed type, variant or
//! builder method breaks downstream code). The rule table is in README.md ("Regenerating
//! safely"); the schema rules are in `diff/schema.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

mod schema;

/// Whether a change can break a client built from the old description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Breaking,
    Compatible,
}

/// One change, attributed to an operation (its operationId, or `components` for a type).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub operation: String,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Breaking => "breaking",
            Severity::Compatible => "compatible",
        };
        write!(f, "{label}: {}: {}", self.operation, self.message)
    }
}

/// Every change between two descriptions, sorted by operation, severity and message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    pub fn breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.severity == Severity::Breaking)
            .count()
    }

    /// One line per change, then a count.
    pub fn render(&self) -> String {
        if self.changes.is_empty() {
            return "no API changes\n".to_string();
        }
        let mut out: String = self.changes.iter().map(|c| format!("{c}\n")).collect();
        let breaking = self.breaking();
        out.push_str(&format!(
            "{breaking} breaking, {} compatible\n",
            self.changes.len() - breaking
        ));
        out
    }
}

/// Compares `old` with `new` (both whole OpenAPI 3.0 documents). Anything that is not shaped
/// like OpenAPI is read as absent, so a malformed document gives a report, never a panic.
pub fn compare(old: &Value, new: &Value) -> Report {
    let mut d = Differ {
        old,
        new,
        operation: String::new(),
        active: Vec::new(),
        changes: Vec::new(),
    };
    d.operations();
    d.components();
    d.changes.sort();
    d.changes.dedup();
    Report { changes: d.changes }
}

/// What a schema is read as: the client sends requests and reads responses, so the same change
/// can be harmless in one and breaking in the other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    operation: String,
    /// `$ref` pairs being compared further up, so a recursive type ends the descent.
    active: Vec<(String, String)>,
    changes: Vec<Change>,
}

use Severity::{Breaking, Compatible};

impl<'a> Differ<'a> {
    fn push(&mut self, severity: Severity, message: String) {
        self.changes.push(Change {
            operation: self.operation.clone(),
            severity,
            message,
        });
    }

    fn operations(&mut self) {
        let (old, new) = (operations(self.old), operations(self.new));
        for key in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
            let (o, n) = (old.get(key), new.get(key));
            self.operation = n.or(o).map(|op| op.label.clone()).unwrap_or_default();
            match (o, n) {
                (Some(_), None) => self.push(Breaking, "operation removed".into()),
                (None, Some(_)) => self.push(Compatible, "operation added".into()),
                (Some(o), Some(n)) => self.operation(o, n),
                (None, None) => {}
            }
        }
    }

    fn operation(&mut self, o: &Operation<'a>, n: &Operation<'a>) {
        if o.id != n.id {
            // progenitor names the builder method after the operationId.
            self.push(
                Breaking,
                format!(
                    "operationId changed from {} to {} (the client method is renamed)",
                    o.id.as_deref().unwrap_or("none"),
                    n.id.as_deref().unwrap_or("none")
                ),
            );
        }
        let (old, new) = (security(self.old, o.op), security(self.new, n.op));
        for alt in old.difference(&new) {
            // A client holding only these credentials can no longer call it.
            self.push(Breaking, format!("security {alt} removed"));
        }
        for alt in new.difference(&old) {
            self.push(Compatible, format!("security {alt} added"));
        }
        self.parameters(o, n);
        self.request_body(o.op.get("requestBody"), n.op.get("requestBody"));
        let (old, new) = (object(o.op.get("responses")), object(n.op.get("responses")));
        for code in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
            let label = format!("response {code}");
            match (old.get(code), new.get(code)) {
                (Some(_), None) => self.push(Breaking, format!("{label} removed")),
                (None, Some(_)) => self.push(Compatible, format!("{label} added")),
                (Some(o), Some(n)) => {
                    let (o, n) = (resolve(self.old, o), resolve(self.new, n));
                    self.content(Dir::Response, &label, o.get("content"), n.get("content"));
                }
                (None, None) => {}
            }
        }
    }

    fn parameters(&mut self, o: &Operation<'a>, n: &Operation<'a>) {
        let (old, new) = (parameters(self.old, o), parameters(self.new, n));
        for key in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
            let label = format!("{} parameter {}", key.0, key.1);
            match (old.get(key), new.get(key)) {
                (Some(_), None) => self.push(Breaking, format!("{label} removed")),
                (None, Some(p)) if required(p) => {
                    self.push(Breaking, format!("new required {label}"))
                }
                (None, Some(_)) => self.push(Compatible, format!("{label} added")),
                (Some(op), Some(np)) => {
                    self.required_change(Dir::Request, &label, required(op), required(np));
                    if let (Some(os), Some(ns)) = (op.get("schema"), np.get("schema")) {
                        self.schema(Dir::Request, &label, "", os, ns);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn request_body(&mut self, o: Option<&'a Value>, n: Option<&'a Value>) {
        let label = "request body";
        let (o, n) = (
            o.map(|v| resolve(self.old, v)),
            n.map(|v| resolve(self.new, v)),
        );
        match (o, n) {
            (Some(_), None) => self.push(Breaking, format!("{label} removed")),
            (None, Some(b)) if required(b) => self.push(Breaking, format!("new required {label}")),
            (None, Some(_)) => self.push(Compatible, format!("{label} added")),
            (Some(o), Some(n)) => {
                self.required_change(Dir::Request, label, required(o), required(n));
                self.content(Dir::Request, label, o.get("content"), n.get("content"));
            }
            (None, None) => {}
        }
    }

    /// The bodies of a request or response, per media type.
    fn content(&mut self, dir: Dir, label: &str, o: Option<&'a Value>, n: Option<&'a Value>) {
        let (old, new) = (object(o), object(n));
        for mt in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
            // JSON is the usual case; naming it on every line would only add noise.
            let label = if mt == "application/json" {
                label.to_string()
            } else {
                format!("{label} ({mt})")
            };
            match (old.get(mt), new.get(mt)) {
                (Some(_), None) => self.push(Breaking, format!("{label} body removed")),
                (None, Some(_)) => self.push(Compatible, format!("{label} body added")),
                (Some(o), Some(n)) => {
                    if let (Some(os), Some(ns)) = (o.get("schema"), n.get("schema")) {
                        self.schema(dir, &label, "", os, ns);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn required_change(&mut self, dir: Dir, site: &str, was: bool, is: bool) {
        match (was, is, dir) {
            (false, true, _) => self.push(Breaking, format!("{site} made required")),
            // A client that relied on always getting it now may not.
            (true, false, Dir::Response) => self.push(Breaking, format!("{site} made optional")),
            (true, false, Dir::Request) => self.push(Compatible, format!("{site} made optional")),
            _ => {}
        }
    }

    /// Component schemas are generated as Rust types whether or not an operation uses them.
    fn components(&mut self) {
        self.operation = "components".to_string();
        let schemas = |doc: &'a Value| object(doc.pointer("/components/schemas"));
        let (old, new) = (schemas(self.old), schemas(self.new));
        for name in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
            match (old.contains_key(name), new.contains_key(name)) {
                (true, false) => self.push(Breaking, format!("type {name} removed")),
                (false, true) => self.push(Compatible, format!("type {name} added")),
                _ => {}
            }
        }
    }
}

/// An operation and what identifies it across versions: method and path, as oasdiff does.
struct Operation<'a> {
    label: String,
    id: Option<String>,
    op: &'a Value,
    path_item: &'a Value,
}

fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut ops = BTreeMap::new();
    for (path, item) in object(doc.get("paths")) {
        let item = resolve(doc, item);
        for method in METHODS {
            let Some(op) = item.get(method).filter(|v| v.is_object()) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string);
            let label = id
                .clone()
                .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
            let key = (path.clone(), method.to_string());
            ops.insert(
                key,
                Operation {
                    label,
                    id,
                    op,
                    path_item: item,
                },
            );
        }
    }
    ops
}

/// The operation's parameters by `(in, name)`; its own override the path item's.
fn parameters<'a>(doc: &'a Value, op: &Operation<'a>) -> BTreeMap<(String, String), &'a Value> {
    let mut params = BTreeMap::new();
    for list in [op.path_item.get("parameters"), op.op.get("parameters")] {
        for p in array(list) {
            let p = resolve(doc, p);
            let field = |k| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            params.insert((field("in"), field("name")), p);
        }
    }
    params
}

/// The operation's security alternatives (its own, else the document's), each the schemes it
/// needs together; `none` is the empty alternative, a call without credentials.
fn security(doc: &Value, op: &Value) -> BTreeSet<String> {
    let list = op.get("security").or_else(|| doc.get("security"));
    let alternatives: BTreeSet<String> = array(list)
        .iter()
        .map(|alt| {
            // Sorted: serde_json keeps the document's key order here.
            let names: BTreeSet<&str> = object(Some(alt)).keys().map(String::as_str).collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.into_iter().collect::<Vec<_>>().join(" + ")
            }
        })
        .collect();
    if alternatives.is_empty() {
        BTreeSet::from(["none".to_string()])
    } else {
        alternatives
    }
}

/// Follows local `$ref`s (at most a few hops, so a ref cycle ends); anything else is itself.
/// An unresolvable ref reads as an empty schema.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    static EMPTY: Value = Value::Null;
    for _ in 0..16 {
        let Some(target) = v.get("$ref").and_then(Value::as_str) else {
            return v;
        };
        v = target
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(&EMPTY);
    }
    &EMPTY
}

fn object(v: Option<&Value>) -> &Map<String, Value> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    v.and_then(Value::as_object).unwrap_or(&EMPTY)
}

fn array(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn required(v: &Value) -> bool {
    flag(v, "required") || v.get("in").and_then(Value::as_str) == Some("path")
}
