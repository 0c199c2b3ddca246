//! Checks on the finished spec, run before anything is written: the converter should never
//! produce these, so each finding is a bug in it, but a spec known to be invalid must not
//! reach `spec/openapi.json`, progenitor or the mocks that answer from its examples.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

/// Every problem found, as `<where>: <what>`; empty when the spec passes.
pub fn validate(spec: &OpenAPI) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, method, op) in spec.operations() {
        let at = format!("{} {path}", method.to_uppercase());
        if op.responses.responses.is_empty() && op.responses.default.is_none() {
            problems.push(format!(
                "{at}: no responses (OpenAPI requires at least one)"
            ));
        }
        for (status, response) in &op.responses.responses {
            let ReferenceOr::Item(response) = response else {
                continue;
            };
            for (media_type, media) in &response.content {
                if media.schema.is_none() {
                    problems.push(format!(
                        "{at}: response {status} `{media_type}` has no schema (a body without fields is no content)"
                    ));
                }
            }
        }
    }
    if let Some(components) = &spec.components {
        for (name, schema) in &components.schemas {
            if let ReferenceOr::Item(schema) = schema {
                examples(
                    spec,
                    schema,
                    &format!("components.schemas.{name}"),
                    &mut problems,
                );
            }
        }
    }
    problems
}

/// Examples anywhere inside `schema` that contradict the type they sit on.
fn examples(spec: &OpenAPI, schema: &Schema, at: &str, problems: &mut Vec<String>) {
    if let Some(example) = &schema.schema_data.example
        && let Some(why) = misfit(spec, schema, example)
    {
        problems.push(format!("{at}: example {example} {why}"));
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            for (name, property) in &o.properties {
                if let ReferenceOr::Item(p) = property {
                    examples(spec, p, &format!("{at}.{name}"), problems);
                }
            }
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(ReferenceOr::Item(items)) = &a.items {
                examples(spec, items, &format!("{at}[]"), problems);
            }
        }
        _ => {}
    }
}

/// Why `value` cannot be an instance of `schema` (JSON type and nullability, through `$ref`
/// and one-element `allOf`), or `None` when it can.
fn misfit(spec: &OpenAPI, schema: &Schema, value: &Value) -> Option<String> {
    if value.is_null() {
        return (!schema.schema_data.nullable && !matches!(schema.schema_kind, SchemaKind::Any(_)))
            .then(|| "is null but the schema is not nullable".to_string());
    }
    let (fits, ty) = match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => (value.is_string(), "string"),
        SchemaKind::Type(Type::Integer(_)) => (value.is_i64() || value.is_u64(), "integer"),
        SchemaKind::Type(Type::Number(_)) => (value.is_number(), "number"),
        SchemaKind::Type(Type::Boolean(_)) => (value.is_boolean(), "boolean"),
        SchemaKind::Type(Type::Object(_)) => (value.is_object(), "object"),
        SchemaKind::Type(Type::Array(_)) => (value.is_array(), "array"),
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
            let target = match &all_of[0] {
                ReferenceOr::Item(s) => Some(s),
                ReferenceOr::Reference { reference } => component(spec, reference),
            }?;
            return misfit(spec, target, value);
        }
        _ => return None,
    };
    (!fits).then(|| format!("is not of the declared type {ty}"))
}

fn component<'a>(spec: &'a OpenAPI, reference: &str) -> Option<&'a Schema> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    match spec.components.as_ref()?.schemas.get(name)? {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: Value) -> OpenAPI {
        serde_json::from_value(json).expect("spec")
    }

    #[test]
    fn flags_empty_responses_schemaless_json_and_misfit_examples() {
        let bad = spec(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"get": {"responses": {}}},
                "/b": {"get": {"responses": {"200": {
                    "description": "OK",
                    "content": {"application/json": {}}
                }}}}
            },
            "components": {"schemas": {"B": {
                "type": "object",
                "properties": {"id": {"type": "integer", "example": "1234"}}
            }}}
        }));
        let problems = validate(&bad);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].starts_with("GET /a: no responses"),
            "{problems:#?}"
        );
        assert!(problems[1].contains("response 200 `application/json` has no schema"));
        assert!(problems[2].starts_with("components.schemas.B.id: example \"1234\""));
    }

    #[test]
    fn passes_fitting_examples() {
        let good = spec(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "OK"}}}}},
            "components": {"schemas": {"B": {
                "type": "object",
                "properties": {"id": {"type": "integer", "example": 1234}}
            }}}
        }));
        assert_eq!(validate(&good), Vec::<String>::new());
    }
}
