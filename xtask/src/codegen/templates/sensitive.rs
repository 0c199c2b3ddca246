// Template: `cargo xtask generate` appends this file's items to the `types` module of
// `generated/src/lib.rs` (see `xtask/src/codegen/sensitive.rs`, whose test checks that the
// schema format below is its `FORMAT`). Plain comments like this one are not copied.

/// A secret (password, private key, access token) exactly as sent and received.
///
/// `Debug` prints `Sensitive(<redacted>)` and there is no `Display`, so a request or
/// response printed for diagnosis never shows it; read the value with
/// [`Sensitive::expose`] or [`Sensitive::into_inner`].
#[derive(Clone, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
#[serde(transparent)]
pub struct Sensitive(::std::string::String);

impl Sensitive {
    /// Wraps a secret.
    pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: only for sending it where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret itself, unwrapped.
    pub fn into_inner(self) -> ::std::string::String {
        self.0
    }
}

impl ::std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl ::std::convert::From<::std::string::String> for Sensitive {
    fn from(value: ::std::string::String) -> Self {
        Self(value)
    }
}

impl ::std::convert::From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

impl ::schemars::JsonSchema for Sensitive {
    fn schema_name() -> ::std::string::String {
        "Sensitive".to_string()
    }
    fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
        ::schemars::schema::SchemaObject {
            instance_type: Some(::schemars::schema::InstanceType::String.into()),
            format: Some("password".to_string()),
            ..Default::default()
        }
        .into()
    }
}
