//! Converts parsed endpoint docs ([`EndpointDoc`]) into one OpenAPI 3.0.3 description.
//!
//! Naming and reuse rules (they decide the Rust type names progenitor writes):
//! - operationId is `<method>_<path>` with `/`, `-` and `.` turned into `_` and braces
//!   dropped, the scheme uberall's own description uses (`post_users_logout`).
//! - Every body becomes a named component. A success body is `<Op>Envelope`; an error body
//!   is `ErrorEnvelope`. Objects nested in a body are `<Op><Field>` (`PostUsersLogoutResponse`),
//!   items of an array of objects `<Owner><Field>Item`. String enums are components named
//!   after their field (`Status`, `ErrorCode`).
//! - Components are interned by shape: a shape that repeats across responses or endpoints is
//!   one component reused by `$ref`, never a copy. This is also what progenitor needs: all
//!   error responses of an operation must share one type. When a preferred name is already
//!   held by a different shape, the name is qualified (`<Owner>Status`) or numbered.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, ArrayType, BooleanType, Components, Info, IntegerType,
    MediaType, NumberType, ObjectType, OpenAPI, Operation, Parameter, ParameterData,
    ParameterSchemaOrContent, PathItem, Paths, ReferenceOr, RequestBody, Response, Responses,
    Schema, SchemaData, SchemaKind, SecurityRequirement, SecurityScheme, Server, StatusCode,
    StringType, Type,
};
use serde_json::Value;

use crate::model::{Body, EndpointDoc, Field, FieldType, Method, ParamLocation};

/// OpenAPI version written into the spec.
pub const OPENAPI_VERSION: &str = "3.0.3";

/// Servers listed in the spec, from `API-NOTES.md`.
pub const SERVERS: &[(&str, &str)] = &[
    ("https://uberall.com/api", "Production"),
    (
        "https://sandbox.uberall.com/api",
        "Sandbox (separate API keys)",
    ),
];

/// Extension recording the media type the doc listed when the spec declares another one.
pub const DOC_MEDIA_TYPE_EXTENSION: &str = "x-doc-media-type";

/// How a name on a doc's `Security:` line maps to an OpenAPI security scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key sent in the header of that name.
    ApiKeyHeader,
    /// `Authorization: Bearer <token>` (HTTP bearer scheme).
    HttpBearer,
}

/// The one table of known security scheme names: `(name on the Security: line, kind,
/// description)`. A name not listed here is taken as an API key in a header of that name,
/// with a warning (see `API-NOTES.md`: pages of other endpoints name further schemes).
pub const SECURITY_SCHEMES: &[(&str, SchemeKind, &str)] = &[
    (
        "X-API-KEY",
        SchemeKind::ApiKeyHeader,
        "The account's private API key, sent in the X-API-KEY header.",
    ),
    (
        "Authorization",
        SchemeKind::HttpBearer,
        "The user's access token (from POST /users/login), sent as `Authorization: Bearer <token>`.",
    ),
    (
        "accessToken",
        SchemeKind::ApiKeyHeader,
        "Access token, sent in the accessToken header (older pages).",
    ),
    (
        "privateKey",
        SchemeKind::ApiKeyHeader,
        "Private API key, sent in the privateKey header (older pages).",
    ),
    (
        "publicKey",
        SchemeKind::ApiKeyHeader,
        "Public API key, sent in the publicKey header (older pages).",
    ),
];

/// One parsed doc with the name of the file it came from (for error messages).
#[derive(Clone, Debug)]
pub struct SourceDoc {
    /// Path of the doc as shown to the user, e.g. `spec/endpoints/post_users_logout.md`.
    pub file: String,
    /// The parsed doc.
    pub doc: EndpointDoc,
}

/// The converter's result: the spec and any warnings worth showing.
#[derive(Clone, Debug)]
pub struct Converted {
    /// The OpenAPI description.
    pub spec: OpenAPI,
    /// Non-fatal findings, e.g. an unknown security scheme name.
    pub warnings: Vec<String>,
}

/// A doc that parses but cannot be expressed as a valid OpenAPI description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    /// The doc the problem is in.
    pub file: String,
    /// What is wrong, naming the field or operation.
    pub message: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ConvertError {}

/// Converts all docs (in the given order, which should be sorted by file name) into one spec.
///
/// Takes the docs by value: names, descriptions and examples move out of the model into the
/// spec instead of being copied (a quarter fewer allocations per field). The emptied model is
/// dropped once the spec is complete rather than piece by piece while converting: freeing it
/// piecemeal let glibc hand the pages back to the OS, and the next conversion in the same
/// process faulted them in again (see `BENCHMARKS.md`).
pub fn convert(mut docs: Vec<SourceDoc>) -> Result<Converted, ConvertError> {
    let mut cx = Converter::default();
    let mut paths: BTreeMap<String, PathItem> = BTreeMap::new();
    // (version, file that declared it first)
    let mut version: Option<(String, String)> = None;
    let mut seen_ops: BTreeMap<String, String> = BTreeMap::new();

    for src in &mut docs {
        let doc = &mut src.doc;
        cx.file = src.file.clone();
        if let Some(v) = doc.version.take() {
            match &version {
                None => version = Some((v, cx.file.clone())),
                Some((other, other_file)) if *other != v => {
                    return Err(cx.error(format!(
                        "`Version: {v}` disagrees with `Version: {other}` in {other_file}; all docs must describe one API version"
                    )));
                }
                Some(_) => {}
            }
        }
        let op_id = operation_id(doc.method, &doc.path);
        if let Some(first) = seen_ops.insert(op_id.clone(), cx.file.clone()) {
            return Err(cx.error(format!(
                "`{} {}` is documented twice (also in {first})",
                doc.method, doc.path
            )));
        }
        let method = doc.method;
        let path = std::mem::take(&mut doc.path);
        let operation = cx.operation(doc, &path, &op_id)?;
        let item = paths.entry(path).or_default();
        let slot = match method {
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

    let schemas = sorted_by_name(cx.schemas);
    let spec = OpenAPI {
        openapi: OPENAPI_VERSION.to_string(),
        info: Info {
            title: "uberall REST API".to_string(),
            description: Some(
                "Generated by `cargo xtask generate` from the endpoint docs in spec/endpoints/."
                    .to_string(),
            ),
            version: version.map_or_else(|| "unversioned".to_string(), |(v, _)| v),
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
        components: Some(Components {
            schemas,
            security_schemes: cx.security_schemes,
            ..Default::default()
        }),
        ..Default::default()
    };
    Ok(Converted {
        spec,
        warnings: cx.warnings,
    })
}

/// Serializes the spec the way it is checked in: pretty JSON, stable order, trailing newline.
pub fn to_json(spec: &OpenAPI) -> String {
    // Serializing these plain data types to a String cannot fail (no maps with non-string
    // keys, no failing Serialize impls), so an error here would be a bug in openapiv3.
    let mut out = serde_json::to_string_pretty(spec).expect("OpenAPI serializes to JSON");
    out.push('\n');
    out
}

/// `post_users_logout` for `POST /users/logout`; `get_users_id` for `GET /users/{id}`.
pub fn operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        id.extend(
            segment
                .chars()
                .filter(|c| !matches!(c, '{' | '}'))
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
    }
    id
}

/// `PostUsersLogout` for `post_users_logout`; `RedirectUrl` for `redirectUrl`.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper_next = true;
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            upper_next = true;
            prev_lower = false;
            continue;
        }
        if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else if c.is_ascii_uppercase() && !prev_lower {
            // Keep camelCase humps but fold shouting runs: `X-API-KEY` -> `XApiKey`.
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

/// Canonical reason phrase, used as the (mandatory) response description.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        423 => "Locked",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => match status / 100 {
            1 => "Informational",
            2 => "Success",
            3 => "Redirection",
            4 => "Client error",
            _ => "Server error",
        },
    }
}

#[derive(Default)]
struct Converter {
    file: String,
    /// Components in the order they were made. Boxed while building: a `Schema` is 1 KiB, and
    /// growing a map of them inline copied every one on each reallocation.
    schemas: IndexMap<String, Box<Schema>>,
    /// Hash of a component's canonical JSON -> names of the components with that hash.
    /// Keeping hashes rather than the JSON keeps memory flat on large docs; a hit is
    /// confirmed by comparing the schemas themselves.
    by_shape: HashMap<u64, Vec<String>>,
    security_schemes: IndexMap<String, ReferenceOr<SecurityScheme>>,
    warnings: Vec<String>,
}

impl Converter {
    fn error(&self, message: String) -> ConvertError {
        ConvertError {
            file: self.file.clone(),
            message,
        }
    }

    /// `doc.path` has been taken out; `path` is it.
    fn operation(
        &mut self,
        doc: &mut EndpointDoc,
        path: &str,
        op_id: &str,
    ) -> Result<Operation, ConvertError> {
        let op_name = pascal_case(op_id);
        self.check_path_params(doc, path)?;
        for (i, p) in doc.parameters.iter().enumerate() {
            if let Some(other) = doc.parameters[..i]
                .iter()
                .find(|o| o.field.name == p.field.name)
            {
                return Err(self.error(format!(
                    "parameter `{}` is documented as a {} and as a {} parameter; the generated \
                     client needs distinct parameter names",
                    p.field.name,
                    location_name(other.location),
                    location_name(p.location)
                )));
            }
        }
        let mut parameters = Vec::with_capacity(doc.parameters.len());
        for p in &mut doc.parameters {
            // The parameter's own description and example are also the schema's.
            let description = p.field.description.clone();
            let example = p.field.example.as_deref().cloned();
            // OpenAPI requires path parameters to be required.
            let required = p.field.required || p.location == ParamLocation::Path;
            let (name, schema, _) = self.field_schema(&mut p.field, &op_name, None)?;
            let data = ParameterData {
                name,
                description,
                required,
                deprecated: None,
                format: ParameterSchemaOrContent::Schema(schema),
                example,
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

        let request_body = match &mut doc.request {
            None => None,
            Some(body) => {
                let (media_type, content) = self.body_content(
                    body,
                    &format!("{op_name}Request"),
                    &format!("{op_name}Request"),
                    "request",
                )?;
                let mut content_map = IndexMap::new();
                content_map.insert(media_type, content);
                Some(ReferenceOr::Item(RequestBody {
                    content: content_map,
                    required: true,
                    ..Default::default()
                }))
            }
        };

        let mut responses = Responses::default();
        // (status, body component) of the success and of the error responses.
        let mut bodies: [Vec<(u16, String)>; 2] = [Vec::new(), Vec::new()];
        for r in &mut doc.responses {
            let success = (200..300).contains(&r.status);
            let (name, child_prefix) = if success {
                (format!("{op_name}Envelope"), op_name.clone())
            } else {
                ("ErrorEnvelope".to_string(), "Error".to_string())
            };
            let mut description = reason_phrase(r.status).to_string();
            let mut extensions = IndexMap::new();
            let mut content = IndexMap::new();
            let doc_media_type = r.body.media_type.clone();
            let (media_type, media) = self.body_content(
                &mut r.body,
                &name,
                &child_prefix,
                &format!("response {}", r.status),
            )?;
            if media_type != doc_media_type {
                description.push_str(&format!(
                    ". The doc lists media type `{doc_media_type}`; its fields describe the JSON envelope, so the body is declared `{media_type}` and decoded into a typed value."
                ));
                extensions.insert(
                    DOC_MEDIA_TYPE_EXTENSION.to_string(),
                    Value::String(doc_media_type),
                );
            }
            let body = match &media.schema {
                Some(ReferenceOr::Reference { reference }) => reference
                    .rsplit('/')
                    .next()
                    .unwrap_or(reference)
                    .to_string(),
                _ => "no body".to_string(),
            };
            bodies[usize::from(!success)].push((r.status, body));
            content.insert(media_type, media);
            let key = StatusCode::Code(r.status);
            if responses.responses.contains_key(&key) {
                return Err(self.error(format!("response {} is documented twice", r.status)));
            }
            responses.responses.insert(
                key,
                ReferenceOr::Item(Response {
                    description,
                    content,
                    extensions,
                    ..Default::default()
                }),
            );
        }

        for (kind, list) in ["success", "error"].iter().zip(&bodies) {
            if let Some((other_status, other_body)) = list.iter().find(|(_, b)| *b != list[0].1) {
                return Err(self.error(format!(
                    "{kind} responses {} and {other_status} have different bodies ({} and {other_body}); \
                     the generated client needs all {kind} responses of an operation to share one body shape",
                    list[0].0, list[0].1
                )));
            }
        }

        let security = if doc.security.is_empty() {
            None
        } else {
            let mut alternatives = Vec::new();
            for name in std::mem::take(&mut doc.security) {
                self.security_scheme(&name);
                let mut req = SecurityRequirement::new();
                req.insert(name, Vec::new());
                alternatives.push(req);
            }
            Some(alternatives)
        };

        Ok(Operation {
            summary: Some(std::mem::take(&mut doc.summary)),
            description: doc.description.take(),
            operation_id: Some(op_id.to_string()),
            parameters,
            request_body,
            responses,
            security,
            ..Default::default()
        })
    }

    /// Every `{name}` in the path template needs a path parameter, and vice versa.
    fn check_path_params(&self, doc: &EndpointDoc, path: &str) -> Result<(), ConvertError> {
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
        let known = SECURITY_SCHEMES.iter().find(|(n, _, _)| *n == name);
        let scheme = match known {
            Some((_, SchemeKind::HttpBearer, description)) => SecurityScheme::HTTP {
                scheme: "bearer".to_string(),
                bearer_format: None,
                description: Some(description.to_string()),
                extensions: IndexMap::new(),
            },
            Some((_, SchemeKind::ApiKeyHeader, description)) => api_key_header(name, description),
            None => {
                self.warnings.push(format!(
                    "{}: unknown security scheme `{name}`, taken as an API key in the `{name}` header",
                    self.file
                ));
                api_key_header(name, &format!("API key sent in the {name} header."))
            }
        };
        self.security_schemes
            .insert(name.to_string(), ReferenceOr::Item(scheme));
    }

    /// The media type entry of a body; `*/*` with documented fields becomes JSON.
    fn body_content(
        &mut self,
        body: &mut Body,
        name: &str,
        child_prefix: &str,
        what: &str,
    ) -> Result<(String, MediaType), ConvertError> {
        if body.fields.is_empty() {
            return Ok((std::mem::take(&mut body.media_type), MediaType::default()));
        }
        let media_type = if body.media_type == "*/*" {
            "application/json".to_string()
        } else {
            std::mem::take(&mut body.media_type)
        };
        let root = FieldPath {
            parent: None,
            name: what,
        };
        let (schema, fields) = self.object_schema(&mut body.fields, None, child_prefix, &root)?;
        let shape = Shape::new(Shape::OBJECT).word(fields).finish();
        let schema = self.intern(schema, shape, &[name.to_string()]);
        Ok((
            media_type,
            MediaType {
                schema: Some(schema),
                ..Default::default()
            },
        ))
    }

    /// An object schema whose properties are `fields`, and the [`Shape`] hash of the fields;
    /// nested objects become components named `<child_prefix><Field>`.
    fn object_schema(
        &mut self,
        fields: &mut [Field],
        data: Option<SchemaData>,
        child_prefix: &str,
        path: &FieldPath<'_>,
    ) -> Result<(Schema, u64), ConvertError> {
        let mut properties = IndexMap::with_capacity(fields.len());
        let mut required = Vec::new();
        let mut shape = Shape::new(Shape::FIELDS).word(fields.len() as u64);
        for f in fields {
            let is_required = f.required;
            let (name, schema, field_shape) = self.field_schema(f, child_prefix, Some(path))?;
            shape = shape.word(field_shape);
            match properties.entry(name) {
                indexmap::map::Entry::Occupied(e) => {
                    let field_path = FieldPath {
                        parent: Some(path),
                        name: e.key(),
                    };
                    return Err(self.error(format!("`{field_path}` is documented twice")));
                }
                indexmap::map::Entry::Vacant(e) => {
                    if is_required {
                        required.push(e.key().clone());
                    }
                    e.insert(boxed(schema));
                }
            }
        }
        let schema = Schema {
            schema_data: data.unwrap_or_default(),
            schema_kind: SchemaKind::Type(Type::Object(ObjectType {
                properties,
                required,
                ..Default::default()
            })),
        };
        Ok((schema, shape.finish()))
    }

    /// The schema of one field, returned with the field's name (it moves into the schema's
    /// owner) and the [`Shape`] hash of all its facts; components it introduces are named
    /// `<owner><Field>`. `parent` is where the field sits, for error messages.
    fn field_schema(
        &mut self,
        f: &mut Field,
        owner: &str,
        parent: Option<&FieldPath<'_>>,
    ) -> Result<(String, ReferenceOr<Schema>, u64), ConvertError> {
        let name = std::mem::take(&mut f.name);
        let (ty, nullable, required) = (f.ty, f.nullable, f.required);
        let description = f.description.take();
        let example = f.example.take().map(|e| *e);
        let enum_values = f.enum_values.take();
        let children = &mut f.children;
        // Hashed while the field is at hand and before its facts move into the schema; a
        // component's shape is then made from its fields' hashes, so no subtree is walked twice.
        let data_shape = Shape::new(Shape::DATA)
            .text(description.as_deref())
            .json(example.as_ref())
            .finish();
        let values_shape = enum_values
            .as_deref()
            .map_or(u64::MAX, |v| Shape::new(Shape::ENUM).values(v).finish());
        let field_shape = Shape::new(Shape::FIELD)
            .text(Some(&name))
            .text(Some(ty.as_str()))
            .word(u64::from(nullable) | u64::from(required) << 1)
            .word(data_shape)
            .word(values_shape);
        let path = FieldPath {
            parent,
            name: &name,
        };
        // Only fields that introduce a component need a name (most fields are scalars).
        let prefix = || format!("{owner}{}", pascal_case(&name));
        if !children.is_empty() && !matches!(ty, FieldType::Object | FieldType::Array) {
            return Err(self.error(format!(
                "`{path}` is a {} but has nested fields",
                ty.as_str()
            )));
        }
        let enum_error = |this: &Self, v: &Value| {
            this.error(format!(
                "`{path}`: Enum value `{v}` does not match the field's type {}",
                ty.as_str()
            ))
        };
        let no_enum = |this: &Self| match &enum_values {
            Some(_) => Err(this.error(format!(
                "`{path}`: `Enum:` is not supported on a field of type {}",
                ty.as_str()
            ))),
            None => Ok(()),
        };
        let values = enum_values.as_deref().unwrap_or_default();
        // Fields without children (all but arrays, here) have the empty list's hash.
        let mut children_shape = Shape::new(Shape::FIELDS).word(0).finish();
        let kind = match ty {
            FieldType::String if !values.is_empty() => {
                // String enums are open (see codegen): a named component per distinct value
                // list, so the fallback type is written once and shared.
                let mut enumeration = Vec::with_capacity(values.len());
                for v in values {
                    match v {
                        Value::String(s) => enumeration.push(Some(s.clone())),
                        Value::Null if nullable => enumeration.push(None),
                        other => return Err(enum_error(self, other)),
                    }
                }
                let component = Schema {
                    schema_data: SchemaData::default(),
                    schema_kind: SchemaKind::Type(Type::String(StringType {
                        enumeration,
                        ..Default::default()
                    })),
                };
                let reference =
                    self.intern(component, values_shape, &[pascal_case(&name), prefix()]);
                // `$ref` admits no sibling keywords in OpenAPI 3.0, so field-level facts are
                // carried by a one-element `allOf` (typify resolves it to the referenced type).
                let data = SchemaData {
                    nullable,
                    description,
                    example,
                    ..Default::default()
                };
                return Ok((name, with_data(reference, data), field_shape.finish()));
            }
            FieldType::String => SchemaKind::Type(Type::String(StringType::default())),
            FieldType::Integer => {
                let mut enumeration = Vec::new();
                for v in values {
                    match v {
                        Value::Number(n) if n.as_i64().is_some() => enumeration.push(n.as_i64()),
                        Value::Null if nullable => enumeration.push(None),
                        other => return Err(enum_error(self, other)),
                    }
                }
                SchemaKind::Type(Type::Integer(IntegerType {
                    enumeration,
                    ..Default::default()
                }))
            }
            FieldType::Number => {
                let mut enumeration = Vec::new();
                for v in values {
                    match v {
                        Value::Number(n) => enumeration.push(n.as_f64()),
                        Value::Null if nullable => enumeration.push(None),
                        other => return Err(enum_error(self, other)),
                    }
                }
                SchemaKind::Type(Type::Number(NumberType {
                    enumeration,
                    ..Default::default()
                }))
            }
            FieldType::Boolean => {
                let mut enumeration = Vec::new();
                for v in values {
                    match v {
                        Value::Bool(b) => enumeration.push(Some(*b)),
                        Value::Null if nullable => enumeration.push(None),
                        other => return Err(enum_error(self, other)),
                    }
                }
                SchemaKind::Type(Type::Boolean(BooleanType { enumeration }))
            }
            FieldType::Object if children.is_empty() => {
                no_enum(self)?;
                SchemaKind::Type(Type::Object(ObjectType {
                    additional_properties: Some(AdditionalProperties::Any(true)),
                    ..Default::default()
                }))
            }
            FieldType::Object => {
                no_enum(self)?;
                // The object's description and example describe its type, so they go on the
                // component; only nullability stays with the field that may be null.
                let component_data = SchemaData {
                    description,
                    example,
                    ..Default::default()
                };
                let prefix = prefix();
                let (object, fields) =
                    self.object_schema(children, Some(component_data), &prefix, &path)?;
                let shape = Shape::new(Shape::OBJECT)
                    .word(data_shape)
                    .word(fields)
                    .finish();
                let reference = self.intern(object, shape, &[prefix]);
                let field_data = SchemaData {
                    nullable,
                    ..Default::default()
                };
                return Ok((
                    name,
                    with_data(reference, field_data),
                    field_shape.word(fields).finish(),
                ));
            }
            FieldType::Array => {
                no_enum(self)?;
                let items = if children.is_empty() {
                    ReferenceOr::Item(Box::new(Schema {
                        schema_data: SchemaData::default(),
                        schema_kind: SchemaKind::Any(AnySchema::default()),
                    }))
                } else {
                    let prefix = prefix();
                    let item_name = format!("{prefix}Item");
                    let (object, fields) = self.object_schema(children, None, &prefix, &path)?;
                    children_shape = fields;
                    let shape = Shape::new(Shape::OBJECT).word(fields).finish();
                    boxed(self.intern(object, shape, &[item_name]))
                };
                SchemaKind::Type(Type::Array(ArrayType {
                    items: Some(items),
                    min_items: None,
                    max_items: None,
                    unique_items: false,
                }))
            }
            FieldType::Any => SchemaKind::Any(AnySchema {
                enumeration: enum_values.unwrap_or_default(),
                ..Default::default()
            }),
            FieldType::Null => SchemaKind::Any(AnySchema {
                enumeration: vec![Value::Null],
                ..Default::default()
            }),
        };
        let schema = Schema {
            schema_data: SchemaData {
                nullable: nullable || ty == FieldType::Null,
                description,
                example,
                ..Default::default()
            },
            schema_kind: kind,
        };
        Ok((
            name,
            ReferenceOr::Item(schema),
            field_shape.word(children_shape).finish(),
        ))
    }

    /// Registers `schema` as a component (or finds the identical one) and returns its `$ref`.
    /// `names` are the preferred names, best first; a numbered name is the last resort.
    fn intern(&mut self, schema: Schema, shape: u64, names: &[String]) -> ReferenceOr<Schema> {
        let same = self.by_shape.get(&shape).and_then(|candidates| {
            candidates.iter().find(|name| {
                self.schemas
                    .get(name.as_str())
                    .is_some_and(|s| **s == schema)
            })
        });
        if let Some(name) = same {
            return ReferenceOr::ref_(&format!("#/components/schemas/{name}"));
        }
        let base = names
            .first()
            .cloned()
            .unwrap_or_else(|| "Schema".to_string());
        let name = names
            .iter()
            .find(|n| !self.schemas.contains_key(*n))
            .cloned()
            .unwrap_or_else(|| {
                (2..)
                    .map(|i| format!("{base}{i}"))
                    .find(|n| !self.schemas.contains_key(n))
                    .unwrap_or(base.clone())
            });
        self.by_shape.entry(shape).or_default().push(name.clone());
        self.schemas.insert(name.clone(), Box::new(schema));
        ReferenceOr::ref_(&format!("#/components/schemas/{name}"))
    }
}

/// The components in name order, unboxed into the spec's map. A `Schema` is 1 KiB, so each
/// is moved once, into a map allocated at its final size: sorting or growing a map of inline
/// schemas copied them many times and showed at the top of the converter's profile.
fn sorted_by_name(schemas: IndexMap<String, Box<Schema>>) -> IndexMap<String, ReferenceOr<Schema>> {
    let mut entries: Vec<(String, Box<Schema>)> = schemas.into_iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut sorted = IndexMap::with_capacity(entries.len());
    for (name, schema) in entries {
        sorted.insert(name, ReferenceOr::Item(*schema));
    }
    sorted
}

/// Hash of the doc facts a component is built from, used to find an identical component.
///
/// Hashed from the compact model rather than from the built `Schema` (1 KiB each, serialized
/// to be hashed), which made interning a large share of the converter's memory traffic. Equal
/// facts give equal schemas; a hash hit is confirmed by comparing the schemas themselves, so
/// collisions cost a comparison, never a wrong merge. Built bottom-up like a Merkle tree: a
/// field's hash covers its own facts and its children's hash, and a component's hash is made
/// from its fields' hashes, so each field is hashed once, while it is being converted (walking
/// every component's subtree again was a full extra pass over the model on large docs).
/// FxHash-style mixing, 8 bytes at a time.
struct Shape(u64);

impl Shape {
    const OBJECT: u64 = 1;
    const ENUM: u64 = 2;
    /// One field: name, type, flags, data and enum hashes, then its children's hash.
    const FIELD: u64 = 3;
    /// A field list: its length, then each field's hash in order.
    const FIELDS: u64 = 4;
    /// A description and an example.
    const DATA: u64 = 5;

    fn new(kind: u64) -> Self {
        let mut shape = Shape(0);
        shape.mix(kind);
        shape
    }

    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn bytes(&mut self, buf: &[u8]) {
        let mut chunks = buf.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let mut word = [0u8; 8];
        let rest = chunks.remainder();
        word[..rest.len()].copy_from_slice(rest);
        // The length keeps "ab" + "c" apart from "a" + "bc".
        self.mix(u64::from_le_bytes(word) ^ ((buf.len() as u64) << 56));
    }

    fn text(mut self, text: Option<&str>) -> Self {
        match text {
            Some(t) => self.bytes(t.as_bytes()),
            None => self.mix(u64::MAX),
        }
        self
    }

    fn json(mut self, value: Option<&Value>) -> Self {
        match value {
            // Compact JSON, streamed in (writing into `Shape` cannot fail).
            Some(v) => {
                let _ = serde_json::to_writer(&mut self, v);
            }
            None => self.mix(u64::MAX),
        }
        self
    }

    /// Mixes in a hash computed earlier (a part's own `Shape`).
    fn word(mut self, word: u64) -> Self {
        self.mix(word);
        self
    }

    fn values(mut self, values: &[Value]) -> Self {
        self.mix(values.len() as u64);
        for v in values {
            self = self.json(Some(v));
        }
        self
    }

    fn finish(self) -> u64 {
        self.0
    }
}

impl std::io::Write for Shape {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    }
}

/// Whether field-level schema data adds nothing to a `$ref`. Only the facts a doc can give a
/// field are checked (the converter sets no others); comparing with `SchemaData::default()`
/// built and dropped a 560-byte value per field.
fn says_nothing(data: &SchemaData) -> bool {
    !data.nullable && data.description.is_none() && data.example.is_none()
}

/// Where a field sits (`response 200.response.success`), for error messages. A chain of
/// borrows, formatted only when an error is reported.
#[derive(Clone, Copy)]
struct FieldPath<'a> {
    parent: Option<&'a FieldPath<'a>>,
    name: &'a str,
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        f.write_str(self.name)
    }
}

fn api_key_header(name: &str, description: &str) -> SecurityScheme {
    SecurityScheme::APIKey {
        location: openapiv3::APIKeyLocation::Header,
        name: name.to_string(),
        description: Some(description.to_string()),
        extensions: IndexMap::new(),
    }
}

/// Field-level description/example/nullability next to a `$ref` (see `field_schema`).
fn with_data(reference: ReferenceOr<Schema>, data: SchemaData) -> ReferenceOr<Schema> {
    if says_nothing(&data) {
        return reference;
    }
    ReferenceOr::Item(Schema {
        schema_data: data,
        schema_kind: SchemaKind::AllOf {
            all_of: vec![reference],
        },
    })
}

fn boxed(schema: ReferenceOr<Schema>) -> ReferenceOr<Box<Schema>> {
    match schema {
        ReferenceOr::Item(s) => ReferenceOr::Item(Box::new(s)),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_follow_uberall_scheme() {
        assert_eq!(
            operation_id(Method::Post, "/users/logout"),
            "post_users_logout"
        );
        assert_eq!(
            operation_id(
                Method::Get,
                "/business-connections/{directoryType}/sales-partner/{salesPartnerId}/count"
            ),
            "get_business_connections_directoryType_sales_partner_salesPartnerId_count"
        );
    }

    #[test]
    fn pascal_case_handles_camel_snake_and_shouting() {
        assert_eq!(pascal_case("post_users_logout"), "PostUsersLogout");
        assert_eq!(pascal_case("redirectUrl"), "RedirectUrl");
        assert_eq!(pascal_case("errorCode"), "ErrorCode");
        assert_eq!(pascal_case("X-API-KEY"), "XApiKey");
    }
}
