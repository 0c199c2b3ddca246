//! One envelope vocabulary: the `status` and `errorCode` of every response envelope are one
//! open enum each, holding the union of the values all docs list. A doc that lists one more
//! value extends the shared type instead of getting a look-alike of its own, so the SDK's
//! `Status` and `ErrorCode` know every value any operation documents.

use std::borrow::Cow;

use serde_json::Value;

use super::SourceDoc;
use crate::model::{Body, FieldType};

/// Top-level response fields whose enum values are pooled across docs.
pub const ENVELOPE_ENUMS: [&str; 2] = ["status", "errorCode"];

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
        if !body.fields.iter().any(|f| widens(f).is_some()) {
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
