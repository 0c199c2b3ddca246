//! `types::Sensitive`, the type of every secret-holding field of the generated client.
//!
//! The converter declares such fields `format: password` (`crate::openapi::SENSITIVE_FIELDS`);
//! codegen maps that schema to this type (progenitor's `with_conversion`). It keeps the value
//! exactly as sent and received (`#[serde(transparent)]`), but its `Debug` prints a marker, it
//! has no `Display`, and the value is read only through an explicit accessor, so a request or
//! response printed with `{:?}` never shows a password or token.
//!
//! The type is fixed Rust: `templates/sensitive.rs`.

use super::CodegenError;

/// The Rust path progenitor writes for a sensitive field.
pub const TYPE_PATH: &str = "crate::types::Sensitive";

/// The OpenAPI string format that marks a sensitive field.
pub const FORMAT: &str = "password";

/// The type's source, appended to the generated `types` module as is.
pub const TEMPLATE: &str = include_str!("templates/sensitive.rs");

/// The schema progenitor replaces with [`TYPE_PATH`]: a string of format [`FORMAT`] (typify
/// compares the schema without its description and examples).
pub fn schema() -> schemars::schema::SchemaObject {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        format: Some(FORMAT.to_string()),
        ..Default::default()
    }
}

/// The type's items, for the generated `types` module.
pub fn items() -> Result<Vec<syn::Item>, CodegenError> {
    Ok(super::template("sensitive.rs", TEMPLATE)?.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_describes_itself_with_the_format_codegen_maps() {
        let expected = format!("format: Some({FORMAT:?}.to_string())");
        assert!(
            TEMPLATE.contains(&expected),
            "templates/sensitive.rs should state `{expected}` in its JsonSchema impl"
        );
        assert!(TYPE_PATH.ends_with("::Sensitive") && TEMPLATE.contains("pub struct Sensitive("));
    }
}
