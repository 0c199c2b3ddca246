//! The typed model (IR) of one endpoint doc.
//!
//! The parser ([`crate::parse`]) produces it; the converter ([`crate::openapi`]) consumes it.
//! It is layout-independent: the whitespace-collapsed and the multi-line form of
//! the same page produce equal values, so every text field holds text with runs of
//! white space collapsed to one space and no leading or trailing space.

use std::fmt;

/// One operation, as documented by one page.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointDoc {
    /// The `# ...` heading.
    pub summary: String,
    /// Free text between the heading and `Endpoint:`; `None` when there is none.
    pub description: Option<String>,
    /// From `Endpoint: <METHOD> <path>`.
    pub method: Method,
    /// Path template exactly as written, e.g. `/users/{id}`.
    pub path: String,
    /// From `Version:`; `None` when the page has no such line.
    pub version: Option<String>,
    /// Scheme names from `Security:` in their order (alternatives); empty when absent.
    pub security: Vec<String>,
    /// Path, query and header parameters, in document order.
    pub parameters: Vec<Parameter>,
    /// From `## Request fields (<media type>):`.
    pub request: Option<Body>,
    /// One entry per `## Response <code> fields (<media type>):`, in document order.
    pub responses: Vec<Response>,
}

/// HTTP methods an endpoint doc may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Upper-case spelling, as in the doc.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Parses the upper-case spelling used by the docs.
    pub fn from_doc(s: &str) -> Option<Method> {
        Some(match s {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            "HEAD" => Method::Head,
            "PATCH" => Method::Patch,
            "TRACE" => Method::Trace,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

/// A path, query or header parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub location: ParamLocation,
    /// The parameter's field. A parameter of type `object` or `array` may have children.
    pub field: Field,
}

/// A request or response body.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// Media type as written in the section title, e.g. `application/json` or `*/*`.
    pub media_type: String,
    /// Top-level fields; nested ones hang below them in [`Field::children`].
    pub fields: Vec<Field>,
}

/// One documented response.
#[derive(Clone, Debug)]
pub struct Response {
    /// HTTP status code from the section title.
    pub status: u16,
    pub body: Body,
    /// 1-based line of the section title, for messages (see [`Field::line`]).
    pub line: usize,
}

impl PartialEq for Response {
    fn eq(&self, other: &Self) -> bool {
        (self.status, &self.body) == (other.status, &other.body)
    }
}

/// JSON types a field may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    Any,
    Null,
}

impl FieldType {
    /// The doc's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Object => "object",
            FieldType::Array => "array",
            FieldType::Any => "any",
            FieldType::Null => "null",
        }
    }

    /// Parses the doc's spelling.
    pub fn from_doc(s: &str) -> Option<FieldType> {
        Some(match s {
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "object" => FieldType::Object,
            "array" => FieldType::Array,
            "any" => FieldType::Any,
            "null" => FieldType::Null,
            _ => return None,
        })
    }
}

/// One documented field (list item), with its nested fields.
#[derive(Clone, Debug)]
pub struct Field {
    /// The last segment of the dot path (`success` for `response.success`).
    pub name: String,
    pub ty: FieldType,
    /// `true` for a nullable pair such as `string,null`.
    pub nullable: bool,
    /// `true` when the type list says `required`.
    pub required: bool,
    /// Description text, `None` when the field has none.
    pub description: Option<String>,
    /// Parsed `Example:` value.
    pub example: Option<serde_json::Value>,
    /// Parsed `Enum:` values in order (strings, or bare values for non-string enums).
    pub enum_values: Option<Vec<serde_json::Value>>,
    /// Properties of this object, or of each item when `ty` is [`FieldType::Array`].
    pub children: Vec<Field>,
    /// 1-based line of the field's name in the doc, for messages. Not part of what the doc
    /// says: the two layouts of one page give equal fields (`PartialEq` ignores it).
    pub line: usize,
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        let key = |f: &Field| {
            (
                f.name.clone(),
                f.ty,
                f.nullable,
                f.required,
                f.description.clone(),
                f.example.clone(),
                f.enum_values.clone(),
            )
        };
        key(self) == key(other) && self.children == other.children
    }
}
