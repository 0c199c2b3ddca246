//! Converts parsed endpoint docs ([`EndpointDoc`]) into one OpenAPI 3.0.3 description.
//!
//! - operationId is [`naming::operation_id`] (`post_users_logout`).
//! - Every body becomes a named component: a success body `<Op>Envelope`, an error body
//!   `ErrorEnvelope`, objects nested in a body `<Op><Field>` (`PostUsersLogoutResponse`),
//!   items of an array of objects `<Owner><Field>Item`, string enums after their field
//!   (`Status`, `ErrorCode`); the names come from [`crate::naming`].
//! - A shape that repeats across responses or endpoints is one component reused by `$ref`,
//!   never a copy: progenitor needs all error responses of an operation to share one type.
//!   Which name a shape gets is kept in the names lock ([`crate::naming::lock`]), so adding,
//!   removing or editing a doc never renames another doc's types.

mod components;
mod idempotent;
mod responses;
mod schema;
mod security;
mod sensitive;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use indexmap::IndexMap;
use openapiv3::{
    Components as SpecComponents, Info, OpenAPI, Operation, Parameter, ParameterData,
    ParameterSchemaOrContent, PathItem, Paths, ReferenceOr, RequestBody, SecurityRequirement,
    SecurityScheme, Server,
};

pub use idempotent::{IDEMPOTENT_EXTENSION, IDEMPOTENT_OPERATIONS, method_is_idempotent};
pub use security::{SECURITY_SCHEMES, SchemeKind};
pub use sensitive::{SENSITIVE_FIELDS, is_sensitive};

use crate::model::{EndpointDoc, Method, ParamLocation};
use crate::naming::{self, lock::NamesLock};
use components::Components;

/// OpenAPI version written into the spec.
pub const OPENAPI_VERSION: &str = "3.0.3";

/// Servers listed in the spec: uberall's production API and its sandbox.
pub const SERVERS: &[(&str, &str)] = &[
    ("https://uberall.com/api", "Production"),
    (
        "https://sandbox.uberall.com/api",
        "Sandbox (separate API keys)",
    ),
];

/// Extension recording the media type the doc listed when the spec declares another one.
pub const DOC_MEDIA_TYPE_EXTENSION: &str = "x-doc-media-type";

/// One parsed doc with the name of the file it came from (for error messages).
#[derive(Clone, Debug)]
pub struct SourceDoc {
    /// Path of the doc as shown to the user, e.g. `spec/endpoints/post_users_logout.md`.
    pub file: String,
    /// The parsed doc.
    pub doc: EndpointDoc,
}

/// The converter's result: the spec, the names lock it follows, and any warnings.
#[derive(Clone, Debug)]
pub struct Converted {
    /// The OpenAPI description.
    pub spec: OpenAPI,
    /// Every component name with the sites that use it (`spec/names.lock.json`).
    pub lock: NamesLock,
    /// Non-fatal findings, e.g. an unknown security scheme name.
    pub warnings: Vec<String>,
}

/// A doc that parses but cannot be expressed as a valid OpenAPI description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    /// The doc the problem is in.
    pub file: String,
    /// The operation, as `METHOD /path (operationId)`.
    pub operation: String,
    /// What is wrong, naming the field when there is one.
    pub message: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.operation, self.message)
    }
}

impl std::error::Error for ConvertError {}

/// `POST /users/logout (post_users_logout)`: how errors name an operation.
pub fn operation_label(doc: &EndpointDoc) -> String {
    format!(
        "{} {} ({})",
        doc.method,
        doc.path,
        naming::operation_id(doc.method, &doc.path)
    )
}

/// Converts all docs into one spec, keeping the names `lock` gives (an empty lock for a fresh
/// start). The result does not depend on the order of `docs` or their file names.
pub fn convert(docs: &[SourceDoc], lock: &NamesLock) -> Result<Converted, ConvertError> {
    let version = agreed_version(docs)?;
    let mut sorted: Vec<&SourceDoc> = docs.iter().collect();
    sorted.sort_by_key(|d| naming::operation_id(d.doc.method, &d.doc.path));
    // Rule 2 of the lock: a run may find that a shared name's recorded shape belongs to a site
    // converted after the one that changed; it runs again with that name contested. Each run
    // contests at least one more locked name, so this ends.
    let mut contested = BTreeSet::new();
    loop {
        let mut cx = Converter::new(lock, &sorted, &contested);
        let paths = cx.paths(&sorted)?;
        if !cx.components.newly_contested.is_subset(&contested) {
            contested.extend(std::mem::take(&mut cx.components.newly_contested));
            continue;
        }
        let mut warnings = cx.warnings;
        warnings.extend(std::mem::take(&mut cx.components.warnings));
        let (schemas, lock) = cx.components.finish();
        return Ok(Converted {
            spec: spec(version, paths, schemas, cx.security_schemes),
            lock,
            warnings,
        });
    }
}

/// The API version all docs state (they must agree), checked in the given order so that the
/// error names the later doc.
fn agreed_version(docs: &[SourceDoc]) -> Result<Option<String>, ConvertError> {
    let mut version: Option<(&str, &str)> = None;
    let mut seen_ops: BTreeMap<String, &str> = BTreeMap::new();
    for src in docs {
        let error = |message| ConvertError {
            file: src.file.clone(),
            operation: operation_label(&src.doc),
            message,
        };
        if let Some(v) = src.doc.version.as_deref() {
            match version {
                None => version = Some((v, &src.file)),
                Some((other, other_file)) if other != v => {
                    return Err(error(format!(
                        "`Version: {v}` disagrees with `Version: {other}` in {other_file}; all docs must describe one API version"
                    )));
                }
                Some(_) => {}
            }
        }
        let op_id = naming::operation_id(src.doc.method, &src.doc.path);
        if let Some(first) = seen_ops.insert(op_id, &src.file) {
            return Err(error(format!("documented twice (also in {first})")));
        }
    }
    Ok(version.map(|(v, _)| v.to_string()))
}

fn spec(
    version: Option<String>,
    paths: BTreeMap<String, PathItem>,
    schemas: IndexMap<String, ReferenceOr<openapiv3::Schema>>,
    security_schemes: IndexMap<String, ReferenceOr<SecurityScheme>>,
) -> OpenAPI {
    OpenAPI {
        openapi: OPENAPI_VERSION.to_string(),
        info: Info {
            title: "uberall REST API".to_string(),
            description: Some(
                "Generated by `cargo xtask generate` from the endpoint docs in spec/endpoints/."
                    .to_string(),
            ),
            version: version.unwrap_or_else(|| "unversioned".to_string()),
            ..Default::default()
        },
        servers: SERVERS
            .iter()
            .map(|(url, description)| Server {
                url: url.to_string(),
                description: Some(description.to_string()),
                ..Default::default()
            })
            .collect(),
        paths: Paths {
            paths: paths
                .into_iter()
                .map(|(p, item)| (p, ReferenceOr::Item(item)))
                .collect(),
            ..Default::default()
        },
        components: Some(SpecComponents {
            schemas,
            security_schemes,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Serializes the spec the way it is checked in: pretty JSON, stable order, trailing newline.
pub fn to_json(spec: &OpenAPI) -> String {
    // Plain data with string keys and no failing `Serialize` impls: this cannot fail.
    let mut out = serde_json::to_string_pretty(spec).unwrap_or_default();
    out.push('\n');
    out
}

/// One conversion run.
struct Converter<'a> {
    components: Components<'a>,
    security_schemes: IndexMap<String, ReferenceOr<SecurityScheme>>,
    warnings: Vec<String>,
    /// The doc being converted and its operation, for errors.
    file: String,
    operation: String,
    /// `<operationId> ` (and the parameter location for parameters): lock sites start so.
    site_prefix: String,
}

impl<'a> Converter<'a> {
    fn new(lock: &'a NamesLock, docs: &[&SourceDoc], contested: &'a BTreeSet<String>) -> Self {
        let operations = docs
            .iter()
            .map(|d| naming::operation_id(d.doc.method, &d.doc.path))
            .collect();
        Converter {
            components: Components::new(lock, &operations, contested),
            security_schemes: IndexMap::new(),
            warnings: Vec::new(),
            file: String::new(),
            operation: String::new(),
            site_prefix: String::new(),
        }
    }

    fn error(&self, message: String) -> ConvertError {
        ConvertError {
            file: self.file.clone(),
            operation: self.operation.clone(),
            message,
        }
    }

    fn paths(&mut self, docs: &[&SourceDoc]) -> Result<BTreeMap<String, PathItem>, ConvertError> {
        let mut paths: BTreeMap<String, PathItem> = BTreeMap::new();
        for src in docs {
            let doc = &src.doc;
            self.file = src.file.clone();
            self.operation = operation_label(doc);
            let operation = self.operation_of(doc)?;
            let item = paths.entry(doc.path.clone()).or_default();
            let slot = match doc.method {
                Method::Get => &mut item.get,
                Method::Put => &mut item.put,
                Method::Post => &mut item.post,
                Method::Delete => &mut item.delete,
                Method::Options => &mut item.options,
                Method::Head => &mut item.head,
                Method::Patch => &mut item.patch,
                Method::Trace => &mut item.trace,
            };
            *slot = Some(operation);
        }
        Ok(paths)
    }

    fn operation_of(&mut self, doc: &EndpointDoc) -> Result<Operation, ConvertError> {
        let op_id = naming::operation_id(doc.method, &doc.path);
        let op_name = naming::operation_type_prefix(&op_id);
        self.check_path_params(doc)?;
        let parameters = self.parameters(doc, &op_id, &op_name)?;
        self.site_prefix = format!("{op_id} ");
        let request_body = match &doc.request {
            None => None,
            Some(body) => {
                let name = naming::request_body(&op_name);
                let (media_type, content) = self.body_content(body, &name, &name, "request")?;
                Some(ReferenceOr::Item(RequestBody {
                    content: IndexMap::from([(media_type, content)]),
                    required: true,
                    ..Default::default()
                }))
            }
        };
        let responses = self.responses(doc, &op_name)?;
        let security = (!doc.security.is_empty()).then(|| {
            doc.security
                .iter()
                .map(|name| {
                    self.security_scheme(name);
                    SecurityRequirement::from([(name.clone(), Vec::new())])
                })
                .collect()
        });
        let mut extensions = IndexMap::new();
        if idempotent::listed(doc.method, &doc.path) {
            extensions.insert(IDEMPOTENT_EXTENSION.to_string(), true.into());
        }
        Ok(Operation {
            summary: Some(doc.summary.clone()),
            description: doc.description.clone(),
            operation_id: Some(op_id),
            parameters,
            request_body,
            responses,
            security,
            extensions,
            ..Default::default()
        })
    }

    fn parameters(
        &mut self,
        doc: &EndpointDoc,
        op_id: &str,
        op_name: &str,
    ) -> Result<Vec<ReferenceOr<Parameter>>, ConvertError> {
        let mut parameters = Vec::with_capacity(doc.parameters.len());
        for (i, p) in doc.parameters.iter().enumerate() {
            let name = &p.field.name;
            if let Some(other) = doc.parameters[..i].iter().find(|o| o.field.name == *name) {
                return Err(self.error(format!(
                    "parameter `{name}` is documented as a {} and as a {} parameter; the generated \
                     client needs distinct parameter names",
                    location_name(other.location),
                    location_name(p.location)
                )));
            }
            self.site_prefix = format!("{op_id} {} ", location_name(p.location));
            let data = ParameterData {
                name: name.clone(),
                // The parameter's own description and example are also the schema's.
                description: p.field.description.clone(),
                // OpenAPI requires path parameters to be required.
                required: p.field.required || p.location == ParamLocation::Path,
                deprecated: None,
                format: ParameterSchemaOrContent::Schema(
                    self.field_schema(&p.field, op_name, None)?,
                ),
                example: p.field.example.clone(),
                examples: IndexMap::new(),
                explode: None,
                extensions: IndexMap::new(),
            };
            parameters.push(ReferenceOr::Item(match p.location {
                ParamLocation::Path => Parameter::Path {
                    parameter_data: data,
                    style: Default::default(),
                },
                ParamLocation::Query => Parameter::Query {
                    parameter_data: data,
                    allow_reserved: false,
                    style: Default::default(),
                    allow_empty_value: None,
                },
                ParamLocation::Header => Parameter::Header {
                    parameter_data: data,
                    style: Default::default(),
                },
            }));
        }
        Ok(parameters)
    }

    /// Every `{name}` in the path template needs a path parameter, and vice versa.
    fn check_path_params(&self, doc: &EndpointDoc) -> Result<(), ConvertError> {
        let path = &doc.path;
        let in_template: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect();
        let documented: Vec<&str> = doc
            .parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
            .map(|p| p.field.name.as_str())
            .collect();
        if let Some(missing) = in_template.iter().find(|n| !documented.contains(n)) {
            return Err(self.error(format!(
                "path `{path}` has `{{{missing}}}` but no `## Path parameters:` field `{missing}`"
            )));
        }
        if let Some(extra) = documented.iter().find(|n| !in_template.contains(n)) {
            return Err(self.error(format!(
                "path parameter `{extra}` does not appear in path `{path}`"
            )));
        }
        Ok(())
    }

    fn security_scheme(&mut self, name: &str) {
        if self.security_schemes.contains_key(name) {
            return;
        }
        let (scheme, known) = security::scheme(name);
        if !known {
            self.warnings.push(format!(
                "{}: unknown security scheme `{name}`, taken as an API key in the `{name}` header",
                self.file
            ));
        }
        self.security_schemes
            .insert(name.to_string(), ReferenceOr::Item(scheme));
    }
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    }
}
