//! Which body fields hold a secret.
//!
//! A string field of a request or response body with one of these names is declared
//! `format: password` in the spec, and the client generator maps that format to
//! `types::Sensitive`, whose `Debug` never shows the value (like aws-sdk-rust's `@sensitive`
//! members). Parameters are left alone: progenitor writes header and path parameters through
//! `Display`, which a secret type must not have, and credentials travel as security schemes.

/// Field names (as the docs spell them, snake and camel case) that hold a credential.
pub const SENSITIVE_FIELDS: &[&str] = &[
    // POST /users/login's request and answer.
    "password",
    "private_key",
    "privateKey",
    "access_token",
    "accessToken",
    // The same kinds of credential under the other names uberall's pages use.
    "newPassword",
    "new_password",
    "refresh_token",
    "refreshToken",
    "api_key",
    "apiKey",
    "client_secret",
    "clientSecret",
];

/// Whether a body field named `name` holds a secret.
pub fn is_sensitive(name: &str) -> bool {
    SENSITIVE_FIELDS.contains(&name)
}
