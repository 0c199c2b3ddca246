//! `types::Sensitive`, the type of every secret-holding field of the generated client.
//!
//! The converter declares such fields `format: password` (`crate::openapi::SENSITIVE_FIELDS`);
//! codegen maps that schema to this type (progenitor's `with_conversion`). It keeps the value
//! exactly as sent and received (`#[serde(transparent)]`), but its `Debug` prints a marker, it
//! has no `Display`, and the value is read only through an explicit accessor, so a request or
//! response printed with `{:?}` never shows a password or token.

use proc_macro2::TokenStream;
use quote::quote;

/// The Rust path progenitor writes for a sensitive field.
pub const TYPE_PATH: &str = "crate::types::Sensitive";

/// The OpenAPI string format that marks a sensitive field.
pub const FORMAT: &str = "password";

/// What `Debug` prints instead of the value.
pub const REDACTED: &str = "Sensitive(<redacted>)";

/// The schema progenitor replaces with [`TYPE_PATH`]: a string of format [`FORMAT`] (typify
/// compares the schema without its description and examples).
pub fn schema() -> schemars::schema::SchemaObject {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        format: Some(FORMAT.to_string()),
        ..Default::default()
    }
}

/// The type's definition, for the generated `types` module.
pub fn tokens() -> TokenStream {
    quote! {
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
                f.write_str(#REDACTED)
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
                    format: Some(#FORMAT.to_string()),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}
