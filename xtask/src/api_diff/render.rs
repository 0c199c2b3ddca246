//! Readable text of the types, generics and bounds in rustdoc JSON.
//!
//! Item ids differ between two builds, so a type is never compared by id: each is rendered
//! twice, once for the report (names as written, the last path segment) and once for the
//! comparison (every name resolved to a path that is the same in both builds). A shape this
//! module does not know is rendered as its JSON with the ids dropped, so a newer rustdoc
//! format still compares, only less readably.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// How names are written.
pub struct Renderer<'a> {
    /// The comparison form: full paths. Otherwise the report form: last segments.
    pub full: bool,
    /// The crate's `paths` table: every item id to its defining path.
    pub paths: &'a Map<String, Value>,
    /// Items of the crate itself, to the public path they were reached by: moving a type
    /// between private modules changes its defining path but not the API.
    pub public: &'a HashMap<String, String>,
}

impl Renderer<'_> {
    /// The name of a path (`{path, id, args}`) without its arguments.
    fn name(&self, written: &str, id: Option<&Value>) -> String {
        if !self.full {
            return written.rsplit("::").next().unwrap_or(written).to_string();
        }
        let Some(id) = id.map(id_key) else {
            return written.to_string();
        };
        if let Some(public) = self.public.get(&id) {
            return public.clone();
        }
        self.paths
            .get(&id)
            .and_then(|summary| summary.get("path"))
            .and_then(Value::as_array)
            .map(|segments| {
                segments
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("::")
            })
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| written.to_string())
    }

    /// A path with its generic arguments: `Option<StatusCode>`, `Fn(u8) -> bool`.
    pub fn path(&self, path: &Value) -> String {
        let written = path.get("path").and_then(Value::as_str).unwrap_or("?");
        let name = self.name(written, path.get("id"));
        match path.get("args") {
            None | Some(Value::Null) => name,
            Some(args) => format!("{name}{}", self.generic_args(args)),
        }
    }

    pub fn ty(&self, ty: &Value) -> String {
        let Some((kind, inner)) = single(ty) else {
            return match ty.as_str() {
                Some("infer") => "_".to_string(),
                _ => fallback(ty),
            };
        };
        match kind {
            "resolved_path" => self.path(inner),
            "generic" | "primitive" => inner.as_str().map_or_else(|| fallback(ty), str::to_string),
            "tuple" => match inner.as_array().map(Vec::as_slice) {
                Some([one]) => format!("({},)", self.ty(one)),
                Some(items) => format!("({})", self.list(items, |t| self.ty(t))),
                None => fallback(ty),
            },
            "slice" => format!("[{}]", self.ty(inner)),
            "array" => format!(
                "[{}; {}]",
                self.ty(&inner["type"]),
                inner["len"].as_str().unwrap_or("_")
            ),
            "pat" => self.ty(&inner["type"]),
            "borrowed_ref" => {
                let lifetime = inner["lifetime"]
                    .as_str()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let mutability = if inner["is_mutable"] == true {
                    "mut "
                } else {
                    ""
                };
                format!("&{lifetime}{mutability}{}", self.ty(&inner["type"]))
            }
            "raw_pointer" => format!(
                "*{} {}",
                if inner["is_mutable"] == true {
                    "mut"
                } else {
                    "const"
                },
                self.ty(&inner["type"])
            ),
            "dyn_trait" => {
                let mut parts: Vec<String> = inner["traits"]
                    .as_array()
                    .map(|traits| {
                        traits
                            .iter()
                            .map(|poly| {
                                format!(
                                    "{}{}",
                                    self.for_params(&poly["generic_params"]),
                                    self.path(&poly["trait"])
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(lifetime) = inner["lifetime"].as_str() {
                    parts.push(lifetime.to_string());
                }
                format!("dyn {}", parts.join(" + "))
            }
            "impl_trait" => format!("impl {}", self.bounds(inner)),
            "function_pointer" => format!(
                "{}{}fn({}){}",
                self.for_params(&inner["generic_params"]),
                header(&inner["header"]),
                self.list(
                    inner["sig"]["inputs"].as_array().map_or(&[], Vec::as_slice),
                    |input| self.ty(&input[1])
                ),
                self.output(&inner["sig"]["output"])
            ),
            "qualified_path" => {
                let name = inner["name"].as_str().unwrap_or("?");
                let self_type = self.ty(&inner["self_type"]);
                let args = match &inner["args"] {
                    Value::Null => String::new(),
                    args => self.generic_args(args),
                };
                match &inner["trait"] {
                    Value::Null => format!("{self_type}::{name}{args}"),
                    tr => format!("<{self_type} as {}>::{name}{args}", self.path(tr)),
                }
            }
            _ => fallback(ty),
        }
    }

    /// ` -> T`, or nothing for `()`.
    pub fn output(&self, output: &Value) -> String {
        match output {
            Value::Null => String::new(),
            ty => format!(" -> {}", self.ty(ty)),
        }
    }

    fn generic_args(&self, args: &Value) -> String {
        let Some((kind, inner)) = single(args) else {
            return match args.as_str() {
                Some("return_type_notation") => "(..)".to_string(),
                _ => fallback(args),
            };
        };
        match kind {
            "angle_bracketed" => {
                let mut parts: Vec<String> = inner["args"]
                    .as_array()
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .map(|arg| self.generic_arg(arg))
                    .collect();
                for constraint in inner["constraints"]
                    .as_array()
                    .map_or(&[][..], Vec::as_slice)
                {
                    parts.push(self.constraint(constraint));
                }
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("<{}>", parts.join(", "))
                }
            }
            "parenthesized" => format!(
                "({}){}",
                self.list(inner["inputs"].as_array().map_or(&[], Vec::as_slice), |t| {
                    self.ty(t)
                }),
                self.output(&inner["output"])
            ),
            _ => fallback(args),
        }
    }

    fn generic_arg(&self, arg: &Value) -> String {
        match single(arg) {
            Some(("lifetime", l)) => l.as_str().unwrap_or("'_").to_string(),
            Some(("type", t)) => self.ty(t),
            Some(("const", c)) => c["expr"].as_str().unwrap_or("_").to_string(),
            _ if arg.as_str() == Some("infer") => "_".to_string(),
            _ => fallback(arg),
        }
    }

    fn constraint(&self, constraint: &Value) -> String {
        let name = constraint["name"].as_str().unwrap_or("?");
        let args = match &constraint["args"] {
            Value::Null => String::new(),
            args => self.generic_args(args),
        };
        match single(&constraint["binding"]) {
            Some(("equality", term)) => format!("{name}{args} = {}", self.term(term)),
            Some(("constraint", bounds)) => format!("{name}{args}: {}", self.bounds(bounds)),
            _ => fallback(constraint),
        }
    }

    fn term(&self, term: &Value) -> String {
        match single(term) {
            Some(("type", t)) => self.ty(t),
            Some(("constant", c)) => c["expr"].as_str().unwrap_or("_").to_string(),
            _ => fallback(term),
        }
    }

    /// `A + B + 'a`.
    pub fn bounds(&self, bounds: &Value) -> String {
        let items = bounds.as_array().map_or(&[][..], Vec::as_slice);
        items
            .iter()
            .map(|bound| match single(bound) {
                Some(("trait_bound", tb)) => {
                    let modifier = match tb["modifier"].as_str() {
                        Some("maybe") => "?",
                        Some("maybe_const") => "~const ",
                        _ => "",
                    };
                    format!(
                        "{}{modifier}{}",
                        self.for_params(&tb["generic_params"]),
                        self.path(&tb["trait"])
                    )
                }
                Some(("outlives", l)) => l.as_str().unwrap_or("'_").to_string(),
                Some(("use", args)) => format!(
                    "use<{}>",
                    self.list(
                        args.as_array().map_or(&[], Vec::as_slice),
                        |a| match single(a) {
                            Some((_, name)) => name.as_str().unwrap_or("?").to_string(),
                            None => a.as_str().unwrap_or("?").to_string(),
                        }
                    )
                ),
                _ => fallback(bound),
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// `<'a, T: Clone, const N: usize>`; `impl Trait` arguments are left out (the input
    /// that uses them shows them).
    pub fn generics(&self, generics: &Value) -> String {
        let params: Vec<String> = generics["params"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|p| self.param(p))
            .collect();
        if params.is_empty() {
            String::new()
        } else {
            format!("<{}>", params.join(", "))
        }
    }

    fn param(&self, param: &Value) -> Option<String> {
        let name = param["name"].as_str().unwrap_or("?");
        Some(match single(&param["kind"]) {
            Some(("lifetime", l)) => {
                let outlives = l["outlives"].as_array().map_or(&[][..], Vec::as_slice);
                if outlives.is_empty() {
                    name.to_string()
                } else {
                    let list: Vec<&str> = outlives.iter().filter_map(Value::as_str).collect();
                    format!("{name}: {}", list.join(" + "))
                }
            }
            Some(("type", t)) => {
                if t["is_synthetic"] == true {
                    return None;
                }
                let mut out = name.to_string();
                if t["bounds"].as_array().is_some_and(|b| !b.is_empty()) {
                    out = format!("{out}: {}", self.bounds(&t["bounds"]));
                }
                if !t["default"].is_null() {
                    out = format!("{out} = {}", self.ty(&t["default"]));
                }
                out
            }
            Some(("const", c)) => {
                let mut out = format!("const {name}: {}", self.ty(&c["type"]));
                if let Some(default) = c["default"].as_str() {
                    out = format!("{out} = {default}");
                }
                out
            }
            _ => fallback(param),
        })
    }

    /// ` where T: Clone, 'a: 'b`, or nothing.
    pub fn where_clause(&self, generics: &Value) -> String {
        let predicates: Vec<String> = generics["where_predicates"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|p| match single(p) {
                Some(("bound_predicate", b)) => format!(
                    "{}{}: {}",
                    self.for_params(&b["generic_params"]),
                    self.ty(&b["type"]),
                    self.bounds(&b["bounds"])
                ),
                Some(("lifetime_predicate", l)) => {
                    let outlives: Vec<&str> = l["outlives"]
                        .as_array()
                        .map_or(&[][..], Vec::as_slice)
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    format!(
                        "{}: {}",
                        l["lifetime"].as_str().unwrap_or("'_"),
                        outlives.join(" + ")
                    )
                }
                Some(("eq_predicate", e)) => {
                    format!("{} = {}", self.ty(&e["lhs"]), self.term(&e["rhs"]))
                }
                _ => fallback(p),
            })
            .collect();
        if predicates.is_empty() {
            String::new()
        } else {
            format!(" where {}", predicates.join(", "))
        }
    }

    /// `for<'a> `, or nothing.
    fn for_params(&self, params: &Value) -> String {
        match params.as_array() {
            Some(params) if !params.is_empty() => {
                let list: Vec<String> = params.iter().filter_map(|p| self.param(p)).collect();
                format!("for<{}> ", list.join(", "))
            }
            _ => String::new(),
        }
    }

    fn list(&self, items: &[Value], each: impl Fn(&Value) -> String) -> String {
        items.iter().map(each).collect::<Vec<_>>().join(", ")
    }
}

/// `const async unsafe extern "C" `: the parts of a function header that are its API.
pub fn header(header: &Value) -> String {
    let mut out = String::new();
    for (flag, word) in [
        ("is_const", "const "),
        ("is_async", "async "),
        ("is_unsafe", "unsafe "),
    ] {
        if header[flag] == true {
            out.push_str(word);
        }
    }
    match &header["abi"] {
        Value::String(abi) if abi == "Rust" => {}
        Value::Null => {}
        abi => out.push_str(&format!("extern {} ", fallback(abi))),
    }
    out
}

/// An id as the key of `index` and `paths` (numbers in recent formats, strings in old ones).
pub fn id_key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The one `{"kind": inner}` pair rustdoc uses for an enum value.
pub fn single(value: &Value) -> Option<(&str, &Value)> {
    match value.as_object() {
        Some(map) if map.len() == 1 => map.iter().next().map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

/// A shape not rendered above, as compact JSON without `id` keys.
pub fn fallback(value: &Value) -> String {
    strip_ids(value).to_string()
}

fn strip_ids(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "id")
                .map(|(k, v)| (k.clone(), strip_ids(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_ids).collect()),
        other => other.clone(),
    }
}
