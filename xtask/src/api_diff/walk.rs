//! A crate's public API from its rustdoc JSON: every public item reachable from the crate
//! root, by the path a user names it with, to its signature.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::render::{Renderer, fallback, header, id_key, single};

/// One public item's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What the two builds compare: every name a full, build-independent path.
    pub canon: String,
    /// What the report shows: names as the source writes them.
    pub display: String,
    /// Why adding this item breaks code written against the old API, when it does (a
    /// variant of an exhaustive enum, a method a trait's implementations must provide).
    pub breaking_if_added: Option<&'static str>,
}

/// Public path (`uberall_sdk::ResponseError::http_status`) to signature.
pub type Surface = BTreeMap<String, Entry>;

/// The surface of the crate whose rustdoc JSON is `doc`; `what` names the file in errors.
pub fn surface(doc: &Value, what: &str) -> Result<Surface, String> {
    if doc.get("format_version").and_then(Value::as_u64).is_none() {
        return Err(format!("{what} is not rustdoc JSON (no `format_version`)"));
    }
    let index = doc
        .get("index")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{what} has no `index` object"))?;
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{what} has no `paths` object"))?;
    let root_id = doc
        .get("root")
        .map(id_key)
        .ok_or_else(|| format!("{what} has no `root`"))?;
    let root = index
        .get(&root_id)
        .ok_or_else(|| format!("{what}: the root item {root_id} is not in `index`"))?;
    let crate_name = root
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what}: the root item has no name"))?;

    let no_names = HashMap::new();
    let mut walker = Walker {
        what,
        index,
        display: Renderer {
            full: false,
            paths,
            public: &no_names,
        },
        found: Vec::new(),
        public: HashMap::new(),
        modules: Vec::new(),
    };
    walker.visit(root, crate_name)?;
    let Walker { found, public, .. } = walker;

    let canon = Renderer {
        full: true,
        paths,
        public: &public,
    };
    let display = Renderer {
        full: false,
        paths,
        public: &public,
    };
    let mut surface = Surface::new();
    for (path, what) in found {
        let entry = Entry {
            canon: signature(&what, &canon, index),
            display: signature(&what, &display, index),
            breaking_if_added: what.breaking_if_added(),
        };
        // Two items under one path (a method in two inherent impls of one generic type):
        // both signatures, in a stable order.
        surface
            .entry(path)
            .and_modify(|old: &mut Entry| {
                let mut canon = [old.canon.clone(), entry.canon.clone()];
                let mut display = [old.display.clone(), entry.display.clone()];
                canon.sort();
                display.sort();
                old.canon = canon.join(" | ");
                old.display = display.join(" | ");
            })
            .or_insert(entry);
    }
    Ok(surface)
}

/// A public item found by the walk, rendered once the public paths of all types are known.
enum Found<'a> {
    Item(&'a Value),
    Field {
        item: &'a Value,
        literal: bool,
    },
    Variant {
        item: &'a Value,
        exhaustive: bool,
    },
    TraitItem(&'a Value),
    ImplItem(&'a Value),
    TraitImpl(&'a Value),
    ReExport {
        source: String,
        id: Option<&'a Value>,
    },
}

impl Found<'_> {
    fn breaking_if_added(&self) -> Option<&'static str> {
        match self {
            Found::Field { literal: true, .. } => {
                Some("a field of a struct without private fields (struct literals must name it)")
            }
            Found::Variant {
                exhaustive: true, ..
            } => Some("a variant of an exhaustive enum (matches must handle it)"),
            Found::TraitItem(item) => {
                let required = match single(&item["inner"]) {
                    Some(("function", f)) => f["has_body"] != true,
                    Some(("assoc_const", c)) => c["value"].is_null(),
                    Some(("assoc_type", t)) => t["type"].is_null(),
                    _ => false,
                };
                required.then_some("a required item of a trait (implementations must provide it)")
            }
            _ => None,
        }
    }
}

struct Walker<'a> {
    what: &'a str,
    index: &'a Map<String, Value>,
    /// For the keys of trait impls (`Type::<impl Display>`).
    display: Renderer<'a>,
    found: Vec<(String, Found<'a>)>,
    /// Local types and traits to the first public path they were reached by.
    public: HashMap<String, String>,
    /// Modules being walked: glob re-exports can form cycles.
    modules: Vec<String>,
}

impl<'a> Walker<'a> {
    fn get(&self, id: &Value, at: &str) -> Result<&'a Value, String> {
        let key = id_key(id);
        self.index
            .get(&key)
            .ok_or_else(|| format!("{}: item {key} (under {at}) is not in `index`", self.what))
    }

    fn ids(&self, value: &'a Value, field: &str, at: &str) -> Result<&'a [Value], String> {
        value
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| format!("{}: `{field}` of {at} is not a list", self.what))
    }

    fn visit(&mut self, item: &'a Value, path: &str) -> Result<(), String> {
        let Some((kind, inner)) = single(&item["inner"]) else {
            return Err(format!(
                "{}: the item at {path} has no `inner` kind",
                self.what
            ));
        };
        let id = id_key(&item["id"]);
        match kind {
            "module" => {
                self.found.push((path.to_string(), Found::Item(item)));
                self.module_items(inner, &id, path)?;
            }
            "use" => self.reexport(inner, path)?,
            "struct" | "union" => {
                self.public.entry(id).or_insert_with(|| path.to_string());
                self.found.push((path.to_string(), Found::Item(item)));
                let literal = !non_exhaustive(item);
                if let Some(("plain", plain)) = single(&inner["kind"]) {
                    self.fields(
                        &plain["fields"],
                        literal && plain["has_stripped_fields"] != true,
                        path,
                    )?;
                } else if kind == "union" {
                    self.fields(&inner["fields"], false, path)?;
                }
                self.impls(&inner["impls"], path)?;
            }
            "enum" => {
                self.public.entry(id).or_insert_with(|| path.to_string());
                self.found.push((path.to_string(), Found::Item(item)));
                let exhaustive = !non_exhaustive(item);
                for variant in self.ids(&inner["variants"], "variants", path)? {
                    let variant = self.get(variant, path)?;
                    let name = variant["name"].as_str().unwrap_or("?");
                    self.found.push((
                        format!("{path}::{name}"),
                        Found::Variant {
                            item: variant,
                            exhaustive,
                        },
                    ));
                }
                self.impls(&inner["impls"], path)?;
            }
            "trait" => {
                self.public.entry(id).or_insert_with(|| path.to_string());
                self.found.push((path.to_string(), Found::Item(item)));
                for member in self.ids(&inner["items"], "items", path)? {
                    let member = self.get(member, path)?;
                    let name = member["name"].as_str().unwrap_or("?");
                    self.found
                        .push((format!("{path}::{name}"), Found::TraitItem(member)));
                }
            }
            "type_alias" | "trait_alias" => {
                self.public.entry(id).or_insert_with(|| path.to_string());
                self.found.push((path.to_string(), Found::Item(item)));
            }
            // Not API of this crate: `extern crate` and the docs of primitives.
            "extern_crate" | "primitive" => {}
            _ => self.found.push((path.to_string(), Found::Item(item))),
        }
        Ok(())
    }

    fn module_items(&mut self, module: &'a Value, id: &str, path: &str) -> Result<(), String> {
        if self.modules.iter().any(|m| m == id) {
            return Ok(());
        }
        self.modules.push(id.to_string());
        for child in self.ids(&module["items"], "items", path)? {
            let child = self.get(child, path)?;
            if child["visibility"] != "public" {
                continue;
            }
            let name = match single(&child["inner"]) {
                Some(("use", u)) if u["is_glob"] == true => None,
                Some(("use", u)) => u["name"].as_str(),
                _ => child["name"].as_str(),
            };
            match name {
                Some(name) => self.visit(child, &format!("{path}::{name}"))?,
                // A glob re-export puts the target's items directly under this path.
                None => self.reexport(&child["inner"]["use"], path)?,
            }
        }
        self.modules.pop();
        Ok(())
    }

    /// `pub use`: the target is walked under the new name when it is in this crate's index;
    /// an item of another crate is recorded as a re-export of its path.
    fn reexport(&mut self, using: &'a Value, path: &str) -> Result<(), String> {
        let source = using["source"].as_str().unwrap_or("?").to_string();
        let target = match &using["id"] {
            Value::Null => None,
            id => self.index.get(&id_key(id)),
        };
        let local = target.filter(|t| t["crate_id"] == 0 || t["crate_id"].is_null());
        match local {
            Some(target) if using["is_glob"] == true => match single(&target["inner"]) {
                Some(("module", module)) => {
                    let id = id_key(&target["id"]);
                    self.module_items(module, &id, path)
                }
                Some(("enum", inner)) => {
                    for variant in self.ids(&inner["variants"], "variants", path)? {
                        let variant = self.get(variant, path)?;
                        let name = variant["name"].as_str().unwrap_or("?");
                        self.found
                            .push((format!("{path}::{name}"), Found::Item(variant)));
                    }
                    Ok(())
                }
                _ => Ok(()),
            },
            Some(target) => self.visit(target, path),
            None => {
                let at = if using["is_glob"] == true {
                    format!("{path}::*")
                } else {
                    path.to_string()
                };
                self.found.push((
                    at,
                    Found::ReExport {
                        source,
                        id: using.get("id").filter(|id| !id.is_null()),
                    },
                ));
                Ok(())
            }
        }
    }

    fn fields(&mut self, fields: &'a Value, literal: bool, path: &str) -> Result<(), String> {
        for field in self.ids(fields, "fields", path)? {
            let field = self.get(field, path)?;
            if field["visibility"] != "public" {
                continue;
            }
            let name = field["name"].as_str().unwrap_or("?");
            self.found.push((
                format!("{path}::{name}"),
                Found::Field {
                    item: field,
                    literal,
                },
            ));
        }
        Ok(())
    }

    /// Inherent impls give `Type::method`; trait impls give `Type::<impl Trait>` and their
    /// associated types. Auto-trait and blanket impls are left out: they follow from the
    /// type's fields and other crates' impls, not from anything this crate declares.
    fn impls(&mut self, impls: &'a Value, type_path: &str) -> Result<(), String> {
        if impls.is_null() {
            return Ok(());
        }
        for id in self.ids(impls, "impls", type_path)? {
            let imp = self.get(id, type_path)?;
            let Some(("impl", inner)) = single(&imp["inner"]) else {
                return Err(format!(
                    "{}: impl {} of {type_path} is not an impl",
                    self.what,
                    id_key(id)
                ));
            };
            if inner["is_synthetic"] == true || !inner["blanket_impl"].is_null() {
                continue;
            }
            let trait_impl = !inner["trait"].is_null();
            let prefix = if trait_impl {
                let negative = if inner["is_negative"] == true {
                    "!"
                } else {
                    ""
                };
                let key = format!(
                    "{type_path}::<impl {negative}{}>",
                    self.display.path(&inner["trait"])
                );
                self.found.push((key.clone(), Found::TraitImpl(imp)));
                key
            } else {
                type_path.to_string()
            };
            for member in self.ids(&inner["items"], "items", type_path)? {
                let member = self.get(member, type_path)?;
                let kind = single(&member["inner"]).map(|(k, _)| k);
                // A trait impl's methods have the trait's signatures; its associated types
                // are chosen here (`type Error = ...`).
                let shown = if trait_impl {
                    kind == Some("assoc_type") || kind == Some("assoc_const")
                } else {
                    member["visibility"] == "public"
                };
                if shown {
                    let name = member["name"].as_str().unwrap_or("?");
                    self.found
                        .push((format!("{prefix}::{name}"), Found::ImplItem(member)));
                }
            }
        }
        Ok(())
    }
}

fn non_exhaustive(item: &Value) -> bool {
    item["attrs"].as_array().is_some_and(|attrs| {
        attrs.iter().any(|a| match a {
            Value::String(s) => s == "non_exhaustive" || s.contains("#[non_exhaustive]"),
            Value::Object(map) => map.contains_key("non_exhaustive"),
            _ => false,
        })
    })
}

fn signature(found: &Found, r: &Renderer, index: &Map<String, Value>) -> String {
    match found {
        Found::Item(item) => item_signature(item, r, index),
        Found::Field { item, .. } => r.ty(&item["inner"]["struct_field"]),
        Found::Variant { item, .. } => variant(item, r, index),
        Found::TraitItem(item) => member(item, r, true),
        Found::ImplItem(item) => member(item, r, false),
        Found::TraitImpl(imp) => {
            let inner = &imp["inner"]["impl"];
            format!(
                "{}impl{} {}{} for {}{}",
                if inner["is_unsafe"] == true {
                    "unsafe "
                } else {
                    ""
                },
                r.generics(&inner["generics"]),
                if inner["is_negative"] == true {
                    "!"
                } else {
                    ""
                },
                r.path(&inner["trait"]),
                r.ty(&inner["for"]),
                r.where_clause(&inner["generics"])
            )
        }
        Found::ReExport { source, id } => {
            let target = match id {
                Some(id) if r.full => r.path(&serde_json::json!({ "path": source, "id": id })),
                _ => source.clone(),
            };
            format!("re-export of {target}")
        }
    }
}

fn item_signature(item: &Value, r: &Renderer, index: &Map<String, Value>) -> String {
    let Some((kind, inner)) = single(&item["inner"]) else {
        return fallback(&item["inner"]);
    };
    let attrs = if non_exhaustive(item) {
        "#[non_exhaustive] "
    } else {
        ""
    };
    let g = |inner: &Value| r.generics(&inner["generics"]);
    let w = |inner: &Value| r.where_clause(&inner["generics"]);
    match kind {
        "module" => "mod".to_string(),
        "function" => function(inner, r),
        "struct" => {
            let shape = match single(&inner["kind"]) {
                Some(("tuple", fields)) => format!("({})", tuple_fields(fields, r, index)),
                Some(("plain", plain)) if plain["has_stripped_fields"] == true => {
                    " { pub fields, private fields }".to_string()
                }
                Some(("plain", _)) => " { pub fields }".to_string(),
                _ => String::new(),
            };
            format!("{attrs}struct{}{shape}{}", g(inner), w(inner))
        }
        "union" => format!("{attrs}union{}{}", g(inner), w(inner)),
        "enum" => format!(
            "{attrs}enum{}{}{}",
            g(inner),
            w(inner),
            if inner["has_stripped_variants"] == true {
                " (private variants)"
            } else {
                ""
            }
        ),
        "variant" => variant(item, r, index),
        "trait" => {
            let bounds = match inner["bounds"].as_array() {
                Some(b) if !b.is_empty() => format!(": {}", r.bounds(&inner["bounds"])),
                _ => String::new(),
            };
            let dyn_compatible = inner
                .get("is_dyn_compatible")
                .or_else(|| inner.get("is_object_safe"));
            format!(
                "{}{}trait{}{bounds}{}{}",
                if inner["is_unsafe"] == true {
                    "unsafe "
                } else {
                    ""
                },
                if inner["is_auto"] == true {
                    "auto "
                } else {
                    ""
                },
                g(inner),
                w(inner),
                if dyn_compatible == Some(&Value::Bool(false)) {
                    " (not dyn-compatible)"
                } else {
                    ""
                }
            )
        }
        "trait_alias" => format!(
            "trait{} = {}{}",
            g(inner),
            r.bounds(&inner["params"]),
            w(inner)
        ),
        "type_alias" => format!("type{} = {}{}", g(inner), r.ty(&inner["type"]), w(inner)),
        "constant" => format!("const: {}", r.ty(&inner["type"])),
        "static" => format!(
            "static{}: {}",
            if inner["is_mutable"] == true {
                " mut"
            } else {
                ""
            },
            r.ty(&inner["type"])
        ),
        "macro" => "macro".to_string(),
        "proc_macro" => format!("proc macro ({})", inner["kind"].as_str().unwrap_or("?")),
        _ => format!("{kind} {}", fallback(inner)),
    }
}

fn variant(item: &Value, r: &Renderer, index: &Map<String, Value>) -> String {
    let inner = &item["inner"]["variant"];
    let attrs = if non_exhaustive(item) {
        "#[non_exhaustive] "
    } else {
        ""
    };
    let shape = match single(&inner["kind"]) {
        Some(("tuple", fields)) => format!("({})", tuple_fields(fields, r, index)),
        Some(("struct", s)) => {
            let mut fields: Vec<String> = s["fields"]
                .as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|id| match index.get(&id_key(id)) {
                    Some(field) => format!(
                        "{}: {}",
                        field["name"].as_str().unwrap_or("?"),
                        r.ty(&field["inner"]["struct_field"])
                    ),
                    None => "?".to_string(),
                })
                .collect();
            if s["has_stripped_fields"] == true {
                fields.push("..".to_string());
            }
            format!(" {{ {} }}", fields.join(", "))
        }
        _ => String::new(),
    };
    format!("{attrs}variant{shape}")
}

/// A tuple struct's or variant's fields: each type, `_` for a private one.
fn tuple_fields(fields: &Value, r: &Renderer, index: &Map<String, Value>) -> String {
    fields
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|id| match id {
            Value::Null => "_".to_string(),
            id => index
                .get(&id_key(id))
                .map_or_else(|| "?".to_string(), |f| r.ty(&f["inner"]["struct_field"])),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An associated item; `in_trait` marks defaults (`{ .. }`, `= ..`), which implementors
/// rely on.
fn member(item: &Value, r: &Renderer, in_trait: bool) -> String {
    let Some((kind, inner)) = single(&item["inner"]) else {
        return fallback(&item["inner"]);
    };
    match kind {
        "function" => {
            let provided = if in_trait && inner["has_body"] == true {
                " { .. }"
            } else {
                ""
            };
            format!("{}{provided}", function(inner, r))
        }
        "assoc_const" => {
            let default = if in_trait && !inner["value"].is_null() {
                " = .."
            } else {
                ""
            };
            format!("const: {}{default}", r.ty(&inner["type"]))
        }
        "assoc_type" => {
            let bounds = match inner["bounds"].as_array() {
                Some(b) if !b.is_empty() => format!(": {}", r.bounds(&inner["bounds"])),
                _ => String::new(),
            };
            let ty = match &inner["type"] {
                Value::Null => String::new(),
                ty => format!(" = {}", r.ty(ty)),
            };
            format!(
                "type{}{bounds}{ty}{}",
                r.generics(&inner["generics"]),
                r.where_clause(&inner["generics"])
            )
        }
        _ => format!("{kind} {}", fallback(inner)),
    }
}

/// `async fn<T: Into<String>>(&self, T) -> Result<Outcome, Error>`: parameter names are not
/// part of the API, `self`'s form is.
fn function(inner: &Value, r: &Renderer) -> String {
    let sig = &inner["sig"];
    let inputs: Vec<String> = sig["inputs"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|input| {
            let ty = &input[1];
            if input[0] != "self" {
                return r.ty(ty);
            }
            match single(ty) {
                Some(("generic", s)) if s == "Self" => "self".to_string(),
                Some(("borrowed_ref", b)) if b["type"]["generic"] == "Self" => {
                    r.ty(ty).replace("Self", "self")
                }
                _ => format!("self: {}", r.ty(ty)),
            }
        })
        .collect();
    let variadic = if sig["is_c_variadic"] == true {
        ", ..."
    } else {
        ""
    };
    format!(
        "{}fn{}({}{variadic}){}{}",
        header(&inner["header"]),
        r.generics(&inner["generics"]),
        inputs.join(", "),
        r.output(&sig["output"]),
        r.where_clause(&inner["generics"])
    )
}
