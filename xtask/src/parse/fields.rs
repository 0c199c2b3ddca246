//! Field lists: one `` - `name` (type) description Example: … Enum: … `` item after another,
//! nested by their dot paths.

use std::collections::HashMap;

use serde_json::Value;

use super::ParseError;
use super::grammar::Parser;
use super::layout::quote;
use crate::model::{Field, FieldType};

const EXPECTED_TYPE: &str =
    "field type (string, integer, number, boolean, object, array, any, null)";
const EXPECTED_AFTER_FIELD: &str = "`Example:`, `Enum:`, the next field `` - `<name>` `` \
     or a section heading `## <title>:`";

/// A field's parsed `Example:` and `Enum:` values.
type ExampleAndEnum = (Option<Value>, Option<Vec<Value>>);

/// The fields of one section while it is being read: the top-level ones, and where every dot
/// path declared so far sits in the tree (its chain of child indices from the top level down).
#[derive(Default)]
struct Tree {
    fields: Vec<Field>,
    index: HashMap<String, Vec<usize>>,
}

fn node_mut<'f>(fields: &'f mut [Field], chain: &[usize]) -> Option<&'f mut Field> {
    let (first, rest) = chain.split_first()?;
    let mut node = fields.get_mut(*first)?;
    for &i in rest {
        node = node.children.get_mut(i)?;
    }
    Some(node)
}

impl<'v> Parser<'v> {
    /// Reads the fields of a section, up to the next `##` or the end.
    ///
    /// `params`: in a parameter section a dotted name whose prefix was not declared is one
    /// literal name (query parameters such as `page.size` exist), not a child path.
    pub(super) fn fields(&mut self, params: bool) -> Result<Vec<Field>, ParseError> {
        let mut tree = Tree::default();
        while let Some(at) = self.next_token() {
            let word = self.word_at(at);
            if word == "##" {
                break;
            }
            if word != "-" {
                return Err(self.error(
                    at,
                    "field list item `` - `<name>` (<type>) `` or a section heading `## <title>:`",
                    self.found_text(at),
                ));
            }
            self.pos = at + 1;
            self.field(&mut tree, params)?;
        }
        Ok(tree.fields)
    }

    /// Reads one field (`self.pos` is after its `-`) and adds it to `tree`.
    fn field(&mut self, tree: &mut Tree, params: bool) -> Result<(), ParseError> {
        if !self.eat(" `") {
            let at = self.next_token().unwrap_or(self.norm.len());
            return Err(self.error(at, "field name in backticks", self.found_text(at)));
        }
        let tick = self.pos - 1;
        let rest = self.rest();
        let len = rest.find(['`', ' ']).unwrap_or(rest.len());
        if !rest[len..].starts_with('`') {
            return Err(self.error(
                tick,
                "closing ` after the field name",
                self.found_text(tick),
            ));
        }
        let path = &rest[..len];
        let name_at = self.pos;
        if path.is_empty() {
            return Err(self.error(tick, "field name between the backticks", quote("``")));
        }
        if path.split('.').any(str::is_empty) {
            return Err(self.error(
                name_at,
                "field name without empty dot-path segments",
                quote(path),
            ));
        }
        self.pos += len + 1;

        if !(self.eat(" (") || self.eat("(")) {
            let at = self.next_token().unwrap_or(self.norm.len());
            return Err(self.error(at, "`(<type>)` after the field name", self.found_text(at)));
        }
        let (ty, nullable, required) = self.type_list()?;
        let description = self.description();
        let (example, enum_values) = self.example_and_enum()?;

        let field = Field {
            // Set by `insert`, which knows whether the path names a child or one literal name.
            name: String::new(),
            ty,
            nullable,
            required,
            description,
            example,
            enum_values,
            children: Vec::new(),
            line: self.view.locate(name_at).1,
        };
        self.insert(tree, path, name_at, field, params)
    }

    /// Reads `type[,type][, required])` (`self.pos` is after the `(`).
    fn type_list(&mut self) -> Result<(FieldType, bool, bool), ParseError> {
        let mut types: Vec<FieldType> = Vec::new();
        let mut required = false;
        loop {
            self.eat(" ");
            let at = self.pos;
            let rest = self.rest();
            let item = &rest[..rest.find([',', ')', ' ']).unwrap_or(rest.len())];
            let expected = match (types.len(), required) {
                (0, _) => EXPECTED_TYPE,
                (_, true) => "`)` closing the type list",
                (1, false) => "`null` (nullable pair) or `required`",
                _ => "`required`",
            };
            let found = || {
                if item.is_empty() {
                    self.found_text(at)
                } else {
                    quote(item)
                }
            };
            match (item, FieldType::from_doc(item)) {
                ("required", _) if !types.is_empty() && !required => required = true,
                (_, Some(ty)) if !required && types.len() < 2 => {
                    if let Some(&first) = types.first() {
                        // A pair must be `<type>,null` (or `null,<type>`), nothing else.
                        if (first == FieldType::Null) == (ty == FieldType::Null) {
                            return Err(self.error(
                                at,
                                "`null` as the other type of a nullable pair",
                                found(),
                            ));
                        }
                    }
                    types.push(ty);
                }
                _ => return Err(self.error(at, expected, found())),
            }
            self.pos += item.len();
            self.eat(" ");
            if self.eat(")") {
                break;
            }
            if !self.eat(",") {
                return Err(self.error(
                    self.pos,
                    "`,` or `)` in the type list",
                    self.found_text(self.pos),
                ));
            }
        }
        Ok(match types.as_slice() {
            [a, b, ..] if *a == FieldType::Null => (*b, true, required),
            [a, _, ..] => (*a, true, required),
            [a] => (*a, false, required),
            // Unreachable: the loop above only ends after a type.
            [] => (FieldType::Any, false, required),
        })
    }

    /// `true` when the word at `pos` starts something that ends a field's description.
    fn ends_description(&self, pos: usize) -> bool {
        matches!(self.word_at(pos), "Example:" | "Enum:" | "##")
            || self.rest_at(pos).starts_with("- `")
    }

    /// Reads free description text up to the next keyword; `None` when there is none.
    fn description(&mut self) -> Option<String> {
        let start = self.next_token()?;
        let mut end = start;
        while end < self.norm.len() && !self.ends_description(end) {
            end += self.word_at(end).len() + 1;
        }
        let end = end.min(self.norm.len());
        let text = self.norm.get(start..end).unwrap_or("").trim_end();
        self.pos = start + text.len();
        Some(text.to_owned()).filter(|t| !t.is_empty())
    }

    /// Reads the `Example:` and `Enum:` parts of a field, each at most once, in any order.
    fn example_and_enum(&mut self) -> Result<ExampleAndEnum, ParseError> {
        let mut example = None;
        let mut values = None;
        while let Some(at) = self.next_token() {
            match self.word_at(at) {
                "Example:" => {
                    if example.is_some() {
                        return Err(self.error(
                            at,
                            "at most one `Example:` per field",
                            quote("Example:"),
                        ));
                    }
                    self.pos = at + "Example:".len();
                    example = Some(self.json_value("JSON value after `Example:`", false)?);
                }
                "Enum:" => {
                    if values.is_some() {
                        return Err(self.error(
                            at,
                            "at most one `Enum:` per field",
                            quote("Enum:"),
                        ));
                    }
                    self.pos = at + "Enum:".len();
                    values = Some(self.enum_values()?);
                }
                _ if self.ends_description(at) => break,
                _ => return Err(self.error(at, EXPECTED_AFTER_FIELD, self.found_text(at))),
            }
        }
        Ok((example, values))
    }

    /// Reads `JSON {, JSON}` after `Enum:`.
    fn enum_values(&mut self) -> Result<Vec<Value>, ParseError> {
        let mut values = Vec::new();
        loop {
            values.push(self.json_value(
                "comma-separated JSON values after `Enum:` (strings in double quotes)",
                true,
            )?);
            if !(self.eat(",") || self.eat(" ,")) {
                return Ok(values);
            }
        }
    }

    /// Reads one JSON value after an optional space.
    ///
    /// `serde_json`'s stream deserializer tells where the value ends, which a hand-written
    /// scanner would get wrong on strings with escaped quotes or nested brackets; its nesting
    /// limit also keeps hostile input such as `[[[[...` from overflowing the stack. The value
    /// must be followed by a space, the end, or (`in_list`) a comma.
    fn json_value(&mut self, expected: &str, in_list: bool) -> Result<Value, ParseError> {
        self.eat(" ");
        let at = self.pos;
        let rest = self.rest();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(_)) | None => return Err(self.error(at, expected, self.found_word(at))),
        };
        let end = stream.byte_offset();
        let after = rest.get(end..).unwrap_or("");
        if !(after.is_empty() || after.starts_with(' ') || (in_list && after.starts_with(','))) {
            let what = if in_list {
                "`,` or the end of the `Enum:` list"
            } else {
                "end of the JSON value after `Example:`"
            };
            return Err(self.error(at + end, what, self.found_word(at + end)));
        }
        self.pos = at + end;
        Ok(value)
    }

    /// Adds `field`, declared as dot path `path` (found at `at`), to `tree`.
    fn insert(
        &self,
        tree: &mut Tree,
        path: &str,
        at: usize,
        mut field: Field,
        params: bool,
    ) -> Result<(), ParseError> {
        if tree.index.contains_key(path) {
            return Err(self.error(
                at,
                "field name not used before in this section",
                format!("duplicate {}", quote(path)),
            ));
        }
        let parent = path
            .rsplit_once('.')
            .and_then(|(parent, name)| Some((parent, name, tree.index.get(parent)?.clone())));
        let chain = match parent {
            Some((parent, name, mut chain)) => {
                field.name = name.to_owned();
                let node = node_mut(&mut tree.fields, &chain).ok_or_else(|| {
                    self.error(at, "consistent field tree (parser bug)", quote(path))
                })?;
                if !matches!(node.ty, FieldType::Object | FieldType::Array) {
                    return Err(self.error(
                        at,
                        format!("object or array parent for `{path}`"),
                        format!("{} of type {}", quote(parent), node.ty.as_str()),
                    ));
                }
                chain.push(node.children.len());
                node.children.push(field);
                chain
            }
            None => {
                if let Some((parent, _)) = path.rsplit_once('.').filter(|_| !params) {
                    return Err(self.error(
                        at,
                        format!("parent field `{parent}` declared before `{path}`"),
                        quote(path),
                    ));
                }
                // A top-level name, or (parameter sections only) a dotted name without a
                // declared parent, which is one literal name.
                field.name = path.to_owned();
                tree.fields.push(field);
                vec![tree.fields.len() - 1]
            }
        };
        tree.index.insert(path.to_owned(), chain);
        Ok(())
    }
}
