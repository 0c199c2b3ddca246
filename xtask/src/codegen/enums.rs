//! Open enums: uberall adds `status` and `errorCode` values over time (see `spec/README.md`), and
//! typify's closed enums would fail to decode a body carrying a new one. Every string-enum
//! component is therefore swapped (progenitor's `with_replacement`) for an enum written
//! here, with one unit variant per documented value plus `Unrecognized(String)` keeping the
//! raw string. It lives in the same `types` module, so callers never see the difference, and
//! the SDK never has to bypass the generated types to decode a response.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::CodegenError;
use crate::naming;

/// Name of the fallback variant of every open enum.
pub const FALLBACK_VARIANT: &str = "Unrecognized";

/// A string-enum component of the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenEnum {
    /// Component (and Rust type) name.
    pub name: String,
    /// Documented values, in order.
    pub values: Vec<String>,
}

/// String-enum components, in component order.
pub fn open_enums(spec: &OpenAPI) -> Vec<OpenEnum> {
    let Some(components) = &spec.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            ReferenceOr::Item(schema) => match &schema.schema_kind {
                SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => Some(OpenEnum {
                    name: name.clone(),
                    values: s.enumeration.iter().flatten().cloned().collect(),
                }),
                _ => None,
            },
            ReferenceOr::Reference { .. } => None,
        })
        .collect()
}

/// The items of the open enum `e`, for the `types` module.
pub fn items(e: &OpenEnum) -> Result<Vec<syn::Item>, CodegenError> {
    super::items(&format!("open enum {}", e.name), tokens(e)?)
}

/// Rust variant name of a documented value: `QUOTA_LIMIT_EXCEED` -> `QuotaLimitExceed`.
fn variant_ident(value: &str) -> Result<syn::Ident, CodegenError> {
    let name = naming::variant_name(value)
        .ok_or_else(|| CodegenError(format!("enum value `{value}` has no letters or digits")))?;
    syn::parse_str(&name)
        .map_err(|_| CodegenError(format!("enum value `{value}` gives no Rust name")))
}

fn tokens(e: &OpenEnum) -> Result<TokenStream, CodegenError> {
    let name = format_ident!("{}", e.name);
    let fallback = format_ident!("{FALLBACK_VARIANT}");
    let mut variants = Vec::new();
    for value in &e.values {
        let ident = variant_ident(value)?;
        if ident == fallback
            || variants
                .iter()
                .any(|(v, _): &(syn::Ident, &String)| *v == ident)
        {
            return Err(CodegenError(format!(
                "enum {}: value `{value}` maps to Rust variant `{ident}`, which is already taken",
                e.name
            )));
        }
        variants.push((ident, value));
    }
    let idents: Vec<_> = variants.iter().map(|(i, _)| i).collect();
    let values: Vec<_> = variants.iter().map(|(_, v)| v.as_str()).collect();
    let docs: Vec<_> = values.iter().map(|v| format!("`{v}`")).collect();
    let type_doc = format!(
        "`{}`: one of the documented values, or [`{}::{FALLBACK_VARIANT}`] with the raw string for a value added to the API after these docs.",
        e.name, e.name
    );
    let fallback_doc = "A value the docs do not list; holds the raw string as received.";
    let known_doc = format!(
        "Every documented value, in the docs' order ({}).",
        values.len()
    );
    let schema_doc = format!(
        "Open enum: a string, documented values {}; other strings are accepted.",
        values.join(", ")
    );
    let name_str = e.name.as_str();
    Ok(quote! {
        #[doc = #type_doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        // A value documented later becomes a new variant: code matching every variant must
        // keep a wildcard arm, or regenerating would break it.
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #docs] #idents, )*
            #[doc = #fallback_doc]
            #fallback(::std::string::String),
        }

        impl #name {
            #[doc = #known_doc]
            pub const KNOWN: &'static [Self] = &[ #( Self::#idents, )* ];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #values, )*
                    Self::#fallback(raw) => raw.as_str(),
                }
            }

            /// `false` for a value the docs do not list.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::#fallback(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#idents, )*
                    other => Self::#fallback(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::#fallback(_) => Self::#fallback(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                        Ok(#name::from(value))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                        Ok(#name::from(value))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::string::String {
                #name_str.to_string()
            }
            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(#schema_doc.to_string()),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    })
}
