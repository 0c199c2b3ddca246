//! Responses of an operation: one body type for all successes, one for all errors.

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Response, Responses, StatusCode};
use serde_json::Value;

use super::{ConvertError, Converter, DOC_MEDIA_TYPE_EXTENSION};
use crate::model::EndpointDoc;
use crate::naming;

impl Converter<'_> {
    pub(super) fn responses(
        &mut self,
        doc: &EndpointDoc,
        op_name: &str,
    ) -> Result<Responses, ConvertError> {
        let mut responses = Responses::default();
        // (status, body component) of the success and of the error responses.
        let mut bodies: [Vec<(u16, String)>; 2] = [Vec::new(), Vec::new()];
        for r in &doc.responses {
            let success = (200..300).contains(&r.status);
            let (name, child_prefix) = if success {
                (naming::success_envelope(op_name), op_name.to_string())
            } else {
                (
                    naming::ERROR_ENVELOPE.to_string(),
                    naming::ERROR_PREFIX.to_string(),
                )
            };
            let mut description = reason_phrase(r.status).to_string();
            let mut extensions = IndexMap::new();
            let what = format!("response {}", r.status);
            let (media_type, media) = self.body_content(&r.body, &name, &child_prefix, &what)?;
            let doc_media_type = &r.body.media_type;
            if media_type != *doc_media_type {
                description.push_str(&format!(
                    ". The doc lists media type `{doc_media_type}`; its fields describe the JSON envelope, so the body is declared `{media_type}` and decoded into a typed value."
                ));
                extensions.insert(
                    DOC_MEDIA_TYPE_EXTENSION.to_string(),
                    Value::String(doc_media_type.clone()),
                );
            }
            let body = match &media.schema {
                Some(ReferenceOr::Reference { reference }) => reference
                    .rsplit('/')
                    .next()
                    .unwrap_or(reference)
                    .to_string(),
                _ => "no body".to_string(),
            };
            bodies[usize::from(!success)].push((r.status, body));
            let key = StatusCode::Code(r.status);
            if responses.responses.contains_key(&key) {
                return Err(self.error(format!("response {} is documented twice", r.status)));
            }
            // A response documented without fields has no body: declaring a media type
            // without a schema would make progenitor give up (`todo!`) on the operation.
            let content = match media.schema {
                Some(_) => IndexMap::from([(media_type, media)]),
                None => IndexMap::new(),
            };
            let response = Response {
                description,
                content,
                extensions,
                ..Default::default()
            };
            responses.responses.insert(key, ReferenceOr::Item(response));
        }
        for (kind, list) in ["success", "error"].iter().zip(&bodies) {
            if let Some((other_status, other_body)) = list.iter().find(|(_, b)| *b != list[0].1) {
                return Err(self.error(format!(
                    "{kind} responses {} and {other_status} have different bodies ({} and {other_body}); \
                     the generated client needs all {kind} responses of an operation to share one body shape",
                    list[0].0, list[0].1
                )));
            }
        }
        Ok(responses)
    }
}

/// Canonical reason phrase, used as the (mandatory) response description.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        423 => "Locked",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => match status / 100 {
            1 => "Informational",
            2 => "Success",
            3 => "Redirection",
            4 => "Client error",
            _ => "Server error",
        },
    }
}
