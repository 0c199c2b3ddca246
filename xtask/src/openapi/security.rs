//! How the names on a doc's `Security:` line become OpenAPI security schemes.

use indexmap::IndexMap;
use openapiv3::{APIKeyLocation, SecurityScheme};

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
/// with a warning: pages of other endpoints name further schemes (see `spec/README.md`).
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

/// The scheme for a name on a `Security:` line; `false` when the name is not in
/// [`SECURITY_SCHEMES`] (the caller warns).
pub(super) fn scheme(name: &str) -> (SecurityScheme, bool) {
    match SECURITY_SCHEMES.iter().find(|(n, _, _)| *n == name) {
        Some((_, SchemeKind::HttpBearer, description)) => (
            SecurityScheme::HTTP {
                scheme: "bearer".to_string(),
                bearer_format: None,
                description: Some(description.to_string()),
                extensions: IndexMap::new(),
            },
            true,
        ),
        Some((_, SchemeKind::ApiKeyHeader, description)) => {
            (api_key_header(name, description), true)
        }
        None => (
            api_key_header(name, &format!("API key sent in the {name} header.")),
            false,
        ),
    }
}

fn api_key_header(name: &str, description: &str) -> SecurityScheme {
    SecurityScheme::APIKey {
        location: APIKeyLocation::Header,
        name: name.to_string(),
        description: Some(description.to_string()),
        extensions: IndexMap::new(),
    }
}
