//! One envelope vocabulary: the `status` and `errorCode` of every response envelope are one
//! open enum each, holding the union of the values all docs list. A doc that lists one more
//! value extends the shared type instead of getting a look-alike of its own, so the SDK's
//! `Status` and `ErrorCode` know every value any operation documents.

use std::borrow::Cow;

use serde_json::Value;

use super::schema::FieldPath;
use super::{ConvertError, Converter, SourceDoc};
use crate::model::{Body, FieldType};
use crate::naming;

/// Top-level response fields whose enum values are pooled across docs.
pub const ENVELOPE_ENUMS: [&str; 2] = ["status", "errorCode"];

/// Whether a response body is uberall's envelope: a `status` beside the `response` payload or
/// an `errorCode`. A body that merely has a field called `status` keeps its own enum.
pub(super) fn is_envelope(body: &Body) -> bool {
    let has = |name: &str| body.fields.iter().any(|f| f.name == name);
    has("status") && (has("response") || has("errorCode"))
}

/// The pooled values of each of [`ENVELOPE_ENUMS`].
#[derive(Clone, Debug, Default)]
pub(super) struct Vocabulary {
    values: [Vec<Value>; 2],
}

impl Vocabulary {
    /// The union over `docs` (in operationId order). The values of the doc listing the most
    /// come first in that doc's order, so that the seed's order survives adding docs; the
    /// others follow in the order they are first met.
    pub(super) fn of(docs: &[&SourceDoc]) -> Self {
        let mut vocabulary = Vocabulary::default();
        for (slot, name) in ENVELOPE_ENUMS.iter().enumerate() {
            let lists: Vec<&Vec<Value>> = docs
                .iter()
                .flat_map(|d| &d.doc.responses)
                .filter(|r| is_envelope(&r.body))
                .flat_map(|r| &r.body.fields)
                .filter(|f| f.name == *name && f.ty == FieldType::String)
                .filter_map(|f| f.enum_values.as_ref())
                .collect();
            let mut longest_first = lists.clone();
            // Stable: among equally long lists the first met wins.
            longest_first.sort_by_key(|l| std::cmp::Reverse(l.len()));
            let pooled = &mut vocabulary.values[slot];
            for value in longest_first.into_iter().take(1).chain(lists).flatten() {
                if !pooled.contains(value) {
                    pooled.push(value.clone());
                }
            }
        }
        vocabulary
    }

    /// `body` with its envelope enums widened to the pooled values.
    pub(super) fn widen<'b>(&self, body: &'b Body) -> Cow<'b, Body> {
        let widens = |f: &crate::model::Field| {
            ENVELOPE_ENUMS
                .iter()
                .position(|n| *n == f.name)
                .filter(|_| f.ty == FieldType::String)
                .filter(|&slot| f.enum_values.as_ref() != Some(&self.values[slot]))
                .filter(|_| f.enum_values.is_some())
        };
        if !is_envelope(body) || !body.fields.iter().any(|f| widens(f).is_some()) {
            return Cow::Borrowed(body);
        }
        let mut widened = body.clone();
        for f in &mut widened.fields {
            if let Some(slot) = widens(f) {
                f.enum_values = Some(self.values[slot].clone());
            }
        }
        Cow::Owned(widened)
    }
}

impl Converter<'_> {
    /// Interns the envelope enums at the sites the names lock records first, so that the
    /// names the lock gives them (`Status`, `ErrorCode`) hold the pooled shape before a doc
    /// converted earlier, whose sites are new, looks for a component of that shape.
    pub(super) fn claim_envelope(&mut self, docs: &[&SourceDoc]) -> Result<(), ConvertError> {
        for src in docs {
            let op_id = naming::operation_id(src.doc.method, &src.doc.path);
            let op_name = naming::operation_type_prefix(&op_id);
            self.file = src.file.clone();
            self.operation = super::operation_label(&src.doc);
            self.site_prefix = format!("{op_id} ");
            for r in src.doc.responses.iter().filter(|r| is_envelope(&r.body)) {
                let owner = if (200..300).contains(&r.status) {
                    op_name.clone()
                } else {
                    naming::ERROR_PREFIX.to_string()
                };
                let what = format!("response {}", r.status);
                let root = FieldPath {
                    parent: None,
                    name: &what,
                };
                let widened = self.vocabulary.widen(&r.body);
                for f in widened.fields.iter().filter(|f| {
                    ENVELOPE_ENUMS.contains(&f.name.as_str())
                        && f.ty == FieldType::String
                        && f.enum_values.is_some()
                }) {
                    let site = format!("{op_id} {what}.{}", f.name);
                    if self.components.is_locked(&site) {
                        self.field_schema(f, &owner, Some(&root))?;
                    }
                }
            }
        }
        Ok(())
    }
}
