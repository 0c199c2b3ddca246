//! Whether a field's `Example:` fits the field's declared type. An example that does not is
//! left out of the spec: clients and mocks answering from examples would otherwise send bodies
//! the generated types cannot decode.

use serde_json::Value;

use crate::model::{Field, FieldType};

/// `Err(why)` when `value` cannot be a value of `field` (its type, nullability, and for
/// objects and arrays of objects, its documented properties).
pub(super) fn check(field: &Field, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return if field.nullable || matches!(field.ty, FieldType::Null | FieldType::Any) {
            Ok(())
        } else {
            Err(format!(
                "null, but the field is a {} that is not nullable",
                field.ty.as_str()
            ))
        };
    }
    let fits = match field.ty {
        FieldType::String => value.is_string(),
        FieldType::Integer => value.is_i64() || value.is_u64(),
        FieldType::Number => value.is_number(),
        FieldType::Boolean => value.is_boolean(),
        FieldType::Object => value.is_object(),
        FieldType::Array => value.is_array(),
        FieldType::Any => true,
        FieldType::Null => false,
    };
    if !fits {
        return Err(format!(
            "{value} is not a{} {}",
            article(field.ty),
            field.ty.as_str()
        ));
    }
    if let Some(values) = &field.enum_values
        && !values.contains(value)
    {
        return Err(format!("{value} is not one of the field's `Enum:` values"));
    }
    if field.children.is_empty() {
        return Ok(());
    }
    match value {
        Value::Object(map) => properties(&field.children, map, ""),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| match item {
                Value::Object(map) => properties(&field.children, map, &format!("[{i}]")),
                other => Err(format!("item {i} ({other}) is not an object")),
            }),
        _ => Ok(()),
    }
}

/// Every documented property present in `map` fits, and every required one is present.
fn properties(
    children: &[Field],
    map: &serde_json::Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    for child in children {
        match map.get(&child.name) {
            Some(v) => check(child, v).map_err(|why| format!("{at}.{}: {why}", child.name))?,
            None if child.required => {
                return Err(format!("{at}.{}: required but missing", child.name));
            }
            None => {}
        }
    }
    Ok(())
}

fn article(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Integer | FieldType::Object | FieldType::Array | FieldType::Any => "n",
        _ => "",
    }
}
