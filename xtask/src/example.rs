//! The documented example of an operation's success response, assembled from the field
//! examples of its schema, for the generated `operations` table (the embedded mock answers it
//! when a test has not scripted the operation).

use openapiv3::{OpenAPI, Operation, ReferenceOr, Schema, SchemaKind, StatusCode, Type};
use serde_json::{Map, Value};

/// How deep a schema is followed; a self-referencing schema stops here instead of looping.
const MAX_DEPTH: usize = 16;

/// The lowest documented 2xx status with a JSON body, and its example.
pub fn success_example(spec: &OpenAPI, op: &Operation) -> Option<(u16, Value)> {
    op.responses.responses.iter().find_map(|(code, response)| {
        let StatusCode::Code(code @ 200..=299) = code else {
            return None;
        };
        let ReferenceOr::Item(response) = response else {
            return None;
        };
        let media = response.content.get("application/json")?;
        let schema = media.schema.as_ref()?;
        let value = resolve(spec, schema).and_then(|s| example(spec, s, 0));
        Some((*code, value.unwrap_or(Value::Null)))
    })
}

/// A value for `schema`: its own example, else its first enum value, else one built from its
/// properties or items. `None` when the docs say nothing a value could be built from.
fn example(spec: &OpenAPI, schema: &Schema, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(example) = &schema.schema_data.example {
        return Some(example.clone());
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s
            .enumeration
            .iter()
            .flatten()
            .next()
            .cloned()
            .map(Value::from),
        SchemaKind::Type(Type::Integer(i)) => i
            .enumeration
            .iter()
            .flatten()
            .next()
            .map(|v| Value::from(*v)),
        SchemaKind::Type(Type::Number(n)) => n
            .enumeration
            .iter()
            .flatten()
            .next()
            .map(|v| Value::from(*v)),
        SchemaKind::Type(Type::Boolean(b)) => b
            .enumeration
            .iter()
            .flatten()
            .next()
            .map(|v| Value::from(*v)),
        SchemaKind::Type(Type::Array(a)) => {
            let items = resolve_boxed(spec, a.items.as_ref()?)?;
            example(spec, items, depth + 1).map(|item| Value::Array(vec![item]))
        }
        SchemaKind::Type(Type::Object(o)) => {
            let mut object = Map::new();
            for (name, property) in &o.properties {
                let Some(property) = resolve_boxed(spec, property) else {
                    continue;
                };
                let value = example(spec, property, depth + 1)
                    // A required field is always present: give it its type's plain value.
                    .or_else(|| o.required.contains(name).then(|| plain(property)));
                if let Some(value) = value {
                    object.insert(name.clone(), value);
                }
            }
            Some(Value::Object(object))
        }
        SchemaKind::AllOf { all_of } => all_of
            .iter()
            .find_map(|s| example(spec, resolve(spec, s)?, depth + 1)),
        _ => None,
    }
}

/// The plain value of a schema's type: `""`, `0`, `false`, `[]`, `{}` or `null`.
fn plain(schema: &Schema) -> Value {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => Value::from(""),
        SchemaKind::Type(Type::Integer(_) | Type::Number(_)) => Value::from(0),
        SchemaKind::Type(Type::Boolean(_)) => Value::from(false),
        SchemaKind::Type(Type::Array(_)) => Value::Array(Vec::new()),
        SchemaKind::Type(Type::Object(_)) => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

/// The schema itself, or the component a local `$ref` names.
fn resolve<'a>(spec: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => component(spec, reference),
    }
}

fn resolve_boxed<'a>(
    spec: &'a OpenAPI,
    schema: &'a ReferenceOr<Box<Schema>>,
) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => component(spec, reference),
    }
}

fn component<'a>(spec: &'a OpenAPI, reference: &str) -> Option<&'a Schema> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    match spec.components.as_ref()?.schemas.get(name)? {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { .. } => None,
    }
}
