//! Schemas of bodies and fields: objects become components, string enums become components
//! (open enums in the client), everything else is inline.

use std::fmt;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, ArrayType, BooleanType, IntegerType, MediaType, NumberType,
    ObjectType, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, StringType, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::{ConvertError, Converter};
use crate::model::{Body, Field, FieldType};
use crate::naming;

/// Where a field sits (`response 200.response.success`), for error messages and lock sites.
#[derive(Clone, Copy)]
pub(super) struct FieldPath<'a> {
    pub(super) parent: Option<&'a FieldPath<'a>>,
    pub(super) name: &'a str,
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        f.write_str(self.name)
    }
}

impl Converter<'_> {
    /// The media type entry of a body named `name`; `*/*` with documented fields becomes JSON.
    /// A body without fields, whatever its media type, is no body: `None`.
    pub(super) fn body_content(
        &mut self,
        body: &Body,
        name: &str,
        child_prefix: &str,
        what: &str,
    ) -> Result<Option<(String, MediaType)>, ConvertError> {
        if body.fields.is_empty() {
            return Ok(None);
        }
        let media_type = if body.media_type == "*/*" {
            "application/json".to_string()
        } else {
            body.media_type.clone()
        };
        let root = FieldPath {
            parent: None,
            name: what,
        };
        let schema =
            self.object_schema(&body.fields, SchemaData::default(), child_prefix, &root)?;
        let schema = self.intern(&root, schema, &[name.to_string()]);
        Ok(Some((
            media_type,
            MediaType {
                schema: Some(schema),
                ..Default::default()
            },
        )))
    }

    fn intern(
        &mut self,
        path: &FieldPath<'_>,
        schema: Schema,
        preferred: &[String],
    ) -> ReferenceOr<Schema> {
        let site = format!("{}{path}", self.site_prefix);
        self.components.intern(site, schema, preferred)
    }

    /// An object schema whose properties are `fields`; nested objects become components named
    /// `<child_prefix><Field>`.
    fn object_schema(
        &mut self,
        fields: &[Field],
        data: SchemaData,
        child_prefix: &str,
        path: &FieldPath<'_>,
    ) -> Result<Schema, ConvertError> {
        let mut properties = IndexMap::with_capacity(fields.len());
        let mut required = Vec::new();
        for f in fields {
            let schema = self.field_schema(f, child_prefix, Some(path))?;
            if properties.contains_key(&f.name) {
                let field_path = FieldPath {
                    parent: Some(path),
                    name: &f.name,
                };
                return Err(self.error(format!("`{field_path}` is documented twice")));
            }
            if f.required {
                required.push(f.name.clone());
            }
            properties.insert(f.name.clone(), boxed(schema));
        }
        Ok(Schema {
            schema_data: data,
            schema_kind: SchemaKind::Type(Type::Object(ObjectType {
                properties,
                required,
                ..Default::default()
            })),
        })
    }

    /// The schema of one field; components it introduces are named `<owner><Field>`. `parent`
    /// is where the field sits.
    pub(super) fn field_schema(
        &mut self,
        f: &Field,
        owner: &str,
        parent: Option<&FieldPath<'_>>,
    ) -> Result<ReferenceOr<Schema>, ConvertError> {
        let (ty, nullable) = (f.ty, f.nullable);
        let path = FieldPath {
            parent,
            name: &f.name,
        };
        let description = f.description.clone();
        let example = self.fitting_example(f, &path);
        let prefix = || naming::nested(owner, &f.name);
        if !f.children.is_empty() && !matches!(ty, FieldType::Object | FieldType::Array) {
            return Err(self.error(format!(
                "`{path}` is a {} but has nested fields",
                ty.as_str()
            )));
        }
        let enum_error = |this: &Self, v: &Value| {
            this.error(format!(
                "`{path}`: Enum value `{v}` does not match the field's type {}",
                ty.as_str()
            ))
        };
        if f.enum_values.is_some() && matches!(ty, FieldType::Object | FieldType::Array) {
            return Err(self.error(format!(
                "`{path}`: `Enum:` is not supported on a field of type {}",
                ty.as_str()
            )));
        }
        let values = f.enum_values.as_deref().unwrap_or_default();
        // Each value must have the field's type; `null` only on a nullable field.
        let typed = |this: &Self, get: &dyn Fn(&Value) -> bool| {
            values
                .iter()
                .find(|v| !(get(v) || (v.is_null() && nullable)))
                .map_or(Ok(()), |v| Err(enum_error(this, v)))
        };
        let kind = match ty {
            FieldType::String if !values.is_empty() => {
                typed(self, &Value::is_string)?;
                // String enums are open (see codegen): a named component per distinct value
                // list, so the fallback type is written once and shared.
                let enumeration = values.iter().map(|v| v.as_str().map(str::to_string));
                let component = Schema {
                    schema_data: SchemaData::default(),
                    schema_kind: SchemaKind::Type(Type::String(StringType {
                        enumeration: enumeration.collect(),
                        ..Default::default()
                    })),
                };
                let names: Vec<String> = naming::string_enum(&f.name)
                    .into_iter()
                    .chain([prefix()])
                    .collect();
                let reference = self.intern(&path, component, &names);
                // `$ref` admits no sibling keywords in OpenAPI 3.0, so field-level facts are
                // carried by a one-element `allOf` (typify resolves it to the referenced type).
                let data = SchemaData {
                    nullable,
                    description,
                    example,
                    ..Default::default()
                };
                return Ok(with_data(reference, data));
            }
            // Body fields only (`parent` is set): see `sensitive` for why not parameters.
            FieldType::String if parent.is_some() && super::sensitive::is_sensitive(&f.name) => {
                SchemaKind::Type(Type::String(StringType {
                    format: VariantOrUnknownOrEmpty::Item(StringFormat::Password),
                    ..Default::default()
                }))
            }
            FieldType::String => SchemaKind::Type(Type::String(StringType::default())),
            FieldType::Integer => {
                typed(self, &|v| v.as_i64().is_some())?;
                SchemaKind::Type(Type::Integer(IntegerType {
                    enumeration: values.iter().map(Value::as_i64).collect(),
                    ..Default::default()
                }))
            }
            FieldType::Number => {
                typed(self, &Value::is_number)?;
                SchemaKind::Type(Type::Number(NumberType {
                    enumeration: values.iter().map(Value::as_f64).collect(),
                    ..Default::default()
                }))
            }
            FieldType::Boolean => {
                typed(self, &Value::is_boolean)?;
                SchemaKind::Type(Type::Boolean(BooleanType {
                    enumeration: values.iter().map(Value::as_bool).collect(),
                }))
            }
            FieldType::Object if f.children.is_empty() => {
                SchemaKind::Type(Type::Object(ObjectType {
                    additional_properties: Some(AdditionalProperties::Any(true)),
                    ..Default::default()
                }))
            }
            FieldType::Object => {
                // The object's description and example describe its type, so they go on the
                // component; only nullability stays with the field that may be null.
                let data = SchemaData {
                    description,
                    example,
                    ..Default::default()
                };
                let prefix = prefix();
                let object = self.object_schema(&f.children, data, &prefix, &path)?;
                let reference = self.intern(&path, object, &[prefix]);
                let field_data = SchemaData {
                    nullable,
                    ..Default::default()
                };
                return Ok(with_data(reference, field_data));
            }
            FieldType::Array => {
                let items = if f.children.is_empty() {
                    ReferenceOr::Item(Box::new(Schema {
                        schema_data: SchemaData::default(),
                        schema_kind: SchemaKind::Any(AnySchema::default()),
                    }))
                } else {
                    let prefix = prefix();
                    let object =
                        self.object_schema(&f.children, SchemaData::default(), &prefix, &path)?;
                    let item_site = format!("{path}[]");
                    let item_path = FieldPath {
                        parent: None,
                        name: &item_site,
                    };
                    boxed(self.intern(&item_path, object, &[naming::array_item(&prefix)]))
                };
                SchemaKind::Type(Type::Array(ArrayType {
                    items: Some(items),
                    min_items: None,
                    max_items: None,
                    unique_items: false,
                }))
            }
            FieldType::Any => SchemaKind::Any(AnySchema {
                enumeration: values.to_vec(),
                ..Default::default()
            }),
            FieldType::Null => SchemaKind::Any(AnySchema {
                enumeration: vec![Value::Null],
                ..Default::default()
            }),
        };
        Ok(ReferenceOr::Item(Schema {
            schema_data: SchemaData {
                nullable: nullable || ty == FieldType::Null,
                description,
                example,
                ..Default::default()
            },
            schema_kind: kind,
        }))
    }
}

impl Converter<'_> {
    /// The field's example, or `None` with a warning when it contradicts the field's type.
    fn fitting_example(&mut self, f: &Field, path: &FieldPath<'_>) -> Option<Value> {
        let example = f.example.as_ref()?;
        match super::examples::check(f, example) {
            Ok(()) => Some(example.clone()),
            Err(why) => {
                self.warnings.push(format!(
                    "{}:{}: {}: `{path}`: example left out, it does not fit the field: {why}",
                    self.file, f.line, self.operation
                ));
                None
            }
        }
    }
}

/// Field-level description/example/nullability next to a `$ref` (see `field_schema`).
fn with_data(reference: ReferenceOr<Schema>, data: SchemaData) -> ReferenceOr<Schema> {
    if !data.nullable && data.description.is_none() && data.example.is_none() {
        return reference;
    }
    ReferenceOr::Item(Schema {
        schema_data: data,
        schema_kind: SchemaKind::AllOf {
            all_of: vec![reference],
        },
    })
}

fn boxed(schema: ReferenceOr<Schema>) -> ReferenceOr<Box<Schema>> {
    match schema {
        ReferenceOr::Item(s) => ReferenceOr::Item(Box::new(s)),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference { reference },
    }
}
