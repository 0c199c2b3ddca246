//! Turning a response that is not the operation's success into an [`Error`].

use std::time::SystemTime;

use reqwest::header::{CONTENT_TYPE, LOCATION};
use uberall_client::types::ErrorEnvelope;

use crate::{
    error::{ApiError, Error, ResponseError},
    http::RawResponse,
    retry::parse_retry_after,
    secret::Redactor,
};

/// Characters of body kept in an error.
const EXCERPT_CHARS: usize = 200;

/// HTTP statuses for which the docs describe the error envelope as the body.
pub(crate) fn is_documented_error_status(status: u16) -> bool {
    matches!(status, 400 | 401 | 403 | 404 | 409)
}

/// The error for a response that is not the operation's documented success.
///
/// A body that is the uberall error envelope becomes [`Error::Api`] whatever the HTTP status
/// (the API also sends it with 429 and 5xx). Otherwise the HTTP status decides: one whose body
/// the docs describe is a [`Error::Decode`], any other an [`Error::UnexpectedStatus`].
pub(crate) fn error_from_response(
    response: &RawResponse,
    documented: bool,
    redactor: &Redactor<'_>,
) -> Error {
    match serde_json::from_slice::<ErrorEnvelope>(&response.body) {
        Ok(envelope) => api_error(response, envelope, redactor),
        Err(err) if documented => Error::Decode(response_error(
            response,
            Some(redactor.scrub(&err.to_string())),
            redactor,
        )),
        Err(_) => {
            let detail = (response.status.is_redirection()
                && response.headers.contains_key(LOCATION))
            .then(|| {
                "redirect not followed: the SDK follows only 307/308 redirects to the same \
                     origin, so credentials never reach another host"
                    .to_owned()
            });
            Error::UnexpectedStatus(response_error(response, detail, redactor))
        }
    }
}

pub(crate) fn api_error(
    response: &RawResponse,
    envelope: ErrorEnvelope,
    redactor: &Redactor<'_>,
) -> Error {
    Error::Api(ApiError::new(
        response.status,
        envelope.status,
        envelope.error_code,
        envelope.message.map(|m| redactor.scrub_owned(m)),
        Vec::new(),
        parse_retry_after(&response.headers, SystemTime::now()),
    ))
}

/// Status, content type, `Retry-After` and a scrubbed excerpt of the body.
pub(crate) fn response_error(
    response: &RawResponse,
    detail: Option<String>,
    redactor: &Redactor<'_>,
) -> ResponseError {
    let content_type = response
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| redactor.scrub(v));
    ResponseError::new(
        response.status,
        content_type,
        excerpt(&response.body, redactor),
        detail,
        parse_retry_after(&response.headers, SystemTime::now()),
    )
}

/// The first [`EXCERPT_CHARS`] characters of `body`: lossy UTF-8, whitespace runs and control
/// characters collapsed to one space, credentials scrubbed, `…` when cut.
pub(crate) fn excerpt(body: &[u8], redactor: &Redactor<'_>) -> String {
    // Scrub a window wide enough to hold any secret that starts inside the kept characters,
    // so that cutting can never leave half a secret behind.
    let window = EXCERPT_CHARS * 4 + redactor.longest();
    let head = &body[..body.len().min(window)];
    let scrubbed = redactor.scrub(&String::from_utf8_lossy(head));
    let mut out = String::with_capacity(EXCERPT_CHARS.min(scrubbed.len()) + 3);
    let mut chars = 0;
    let mut pending_space = false;
    for c in scrubbed.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if chars >= EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        out.push(c);
        chars += 1;
    }
    if body.len() > head.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretHeader;
    use crate::{ErrorCode, Status};
    use bytes::Bytes;
    use reqwest::{
        StatusCode,
        header::{HeaderMap, HeaderValue},
    };

    fn raw(status: u16, content_type: Option<&str>, body: &str) -> RawResponse {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    #[test]
    fn envelope_becomes_api_error_for_any_status() {
        let body = r#"{"status":"BAD_ACCESS_TOKEN","message":"nope","errorCode":"UNKNOWN","x":1}"#;
        for status in [401, 429, 500] {
            let err = error_from_response(
                &raw(status, Some("application/json"), body),
                is_documented_error_status(status),
                &Redactor::default(),
            );
            let Error::Api(api) = err else {
                panic!("{err:?}")
            };
            assert_eq!(api.http_status().as_u16(), status);
            assert_eq!(api.status(), &Status::BadAccessToken);
            assert_eq!(api.error_code(), Some(&ErrorCode::Unknown));
        }
    }

    #[test]
    fn non_envelope_bodies_split_by_documented_status() {
        let html = "<html><body>Bad Gateway</body></html>";
        let err = error_from_response(
            &raw(502, Some("text/html"), html),
            false,
            &Redactor::default(),
        );
        let Error::UnexpectedStatus(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.excerpt(), html);
        assert_eq!(e.content_type(), Some("text/html"));
        let err = error_from_response(&raw(401, None, ""), true, &Redactor::default());
        let Error::Decode(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.excerpt(), "");
        assert!(e.detail().unwrap().contains("EOF"));
    }

    #[test]
    fn excerpt_is_short_single_line_and_scrubbed() {
        let token = SecretHeader::new("Bearer ", "s3cr3t-token", "access token").unwrap();
        let redactor = Redactor::new(Some(&token), None);
        let long = format!("{}\n\n\tend s3cr3t-token", "a".repeat(500));
        let cut = excerpt(long.as_bytes(), &redactor);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(
            excerpt(b"line one\r\n  line\x00two s3cr3t-token", &redactor),
            "line one line two [REDACTED]"
        );
        // A secret straddling the cut is still caught whole.
        let edge = format!("{}s3cr3t-token", "b".repeat(EXCERPT_CHARS - 3));
        assert!(!excerpt(edge.as_bytes(), &redactor).contains("s3c"));
        assert_eq!(
            excerpt(&[0xff, 0xfe, b'o', b'k'], &redactor),
            "\u{fffd}\u{fffd}ok"
        );
    }
}
