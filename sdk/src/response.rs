//! What a response means: the operation's success (handed on to the generated decoding), or
//! the [`Error`] it is. The same rules for every operation; what differs between operations
//! (which statuses their docs describe) comes from `uberall_client::operations`.

use std::{borrow::Cow, time::SystemTime};

use bytes::Bytes;
use reqwest::{
    StatusCode,
    header::{CONTENT_TYPE, HeaderMap, LOCATION},
};
use uberall_client::{operations::Operation, types::ErrorEnvelope};

use crate::{
    Status,
    error::{ApiError, Error, ResponseError},
    retry::parse_retry_after,
    secret::Redactor,
};

/// Characters of body kept in an error.
const EXCERPT_CHARS: usize = 200;

/// A response with its body read (up to the cap) and scrubbed of the credentials.
#[derive(Debug)]
pub(crate) struct Buffered {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// `Ok` when the response is the operation's success, to be decoded by the generated code;
/// otherwise the error it is.
///
/// * A 2xx the operation documents: an error when its envelope `status` is not `SUCCESS`
///   ([`Error::Api`]: the API reports some errors with HTTP 200), or when the body is not
///   JSON at all ([`Error::Decode`]; an empty body passes only where the docs describe none).
/// * Any other status: [`Error::Api`] when the body is the uberall error envelope (the API
///   also sends it with 429 and 5xx); otherwise [`Error::Decode`] when the operation's docs
///   describe that status, [`Error::UnexpectedStatus`] when they don't.
pub(crate) fn classify(
    response: &Buffered,
    operation: Option<&Operation>,
    redactor: &Redactor<'_>,
) -> Result<(), Error> {
    let code = response.status.as_u16();
    let documented = operation.is_some_and(|op| op.documents(code));
    if response.status.is_success() && documented {
        return match envelope_status(&response.body) {
            Ok(Some(status)) if status != Status::Success.as_str() => {
                let envelope = serde_json::from_slice::<ErrorEnvelope>(&response.body)
                    .unwrap_or_else(|_| status_only(status.into_owned()));
                // Only 2xx envelopes carry `warnings`.
                let warnings = serde_json::from_slice::<Warnings>(&response.body)
                    .map(|w| w.warnings)
                    .unwrap_or_default();
                Err(api_error(response, envelope, warnings))
            }
            Ok(_) => Ok(()),
            Err(NotJson) if response.body.is_empty() && !documents_json_body(operation, code) => {
                Ok(())
            }
            Err(NotJson) => Err(Error::Decode(response_error(
                response,
                Some("the body is not JSON".to_owned()),
                redactor,
            ))),
        };
    }
    Err(
        match serde_json::from_slice::<ErrorEnvelope>(&response.body) {
            // An undocumented 2xx saying SUCCESS is not an error answer, just not one the docs
            // describe; any other envelope is the API's error answer.
            Ok(envelope) if !response.status.is_success() || envelope.status != Status::Success => {
                api_error(response, envelope, Vec::new())
            }
            // (A documented 2xx returned above, so a documented status here has no envelope.)
            Err(err) if documented => {
                Error::Decode(response_error(response, Some(err.to_string()), redactor))
            }
            Ok(_) | Err(_) => {
                let detail = (response.status.is_redirection()
                    && response.headers.contains_key(LOCATION))
                .then(|| {
                    "redirect not followed: the SDK follows only 307/308 redirects to the same \
                 origin, so credentials never reach another host"
                        .to_owned()
                });
                Error::UnexpectedStatus(response_error(response, detail, redactor))
            }
        },
    )
}

/// Whether the docs describe a JSON body for this status of the operation.
fn documents_json_body(operation: Option<&Operation>, code: u16) -> bool {
    operation
        .and_then(|op| op.example)
        .is_some_and(|(status, _)| status == code)
}

/// An envelope of which only `status` could be read.
fn status_only(status: String) -> ErrorEnvelope {
    ErrorEnvelope {
        status: Status::from(status),
        error_code: None,
        message: None,
        response: serde_json::Map::new(),
    }
}

#[derive(serde::Deserialize)]
struct Warnings {
    #[serde(default)]
    warnings: Vec<serde_json::Value>,
}

fn api_error(
    response: &Buffered,
    envelope: ErrorEnvelope,
    warnings: Vec<serde_json::Value>,
) -> Error {
    // The body was scrubbed before it was decoded, so `message` and `warnings` are clean.
    Error::Api(ApiError::new(
        response.status,
        envelope.status,
        envelope.error_code,
        envelope.message,
        warnings,
        parse_retry_after(&response.headers, SystemTime::now()),
    ))
}

/// The top-level `status` of a body that is JSON in outline: `Ok(Some(status))` for an
/// object with a string `status`, `Ok(None)` for any other JSON value, `Err(NotJson)` for a
/// body that is not (an HTML page, an empty or truncated body).
///
/// A scan rather than a parse: it runs on every response, so it checks only the outline
/// (strings closed, brackets balanced, nothing after the value) and leaves the rest of the
/// grammar to the generated decoding, which reads the body anyway. That catches what goes
/// wrong in practice (an error page, a cut-off body) with the HTTP status still at hand.
pub(crate) fn envelope_status(body: &[u8]) -> Result<Option<Cow<'_, str>>, NotJson> {
    let start = skip_whitespace(body, 0);
    match body.get(start) {
        Some(b'{' | b'[') => {}
        Some(b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => return Ok(None),
        _ => return Err(NotJson),
    }
    let mut status = None;
    let mut depth = 0usize;
    // In the top-level object, right after `{` or `,`: the next string is a key.
    let mut key_next = false;
    let mut i = start;
    while let Some(&byte) = body.get(i) {
        match byte {
            b'{' | b'[' => {
                depth += 1;
                key_next = depth == 1 && byte == b'{';
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1).ok_or(NotJson)?;
                if depth == 0 {
                    return match body.get(skip_whitespace(body, i + 1)) {
                        None => Ok(status),
                        Some(_) => Err(NotJson),
                    };
                }
            }
            b',' => key_next = depth == 1,
            b'"' => {
                let end = string_end(body, i + 1).ok_or(NotJson)?;
                if key_next {
                    key_next = false;
                    let colon = skip_whitespace(body, end + 1);
                    if body.get(colon) != Some(&b':') {
                        return Err(NotJson);
                    }
                    let value = skip_whitespace(body, colon + 1);
                    if &body[i + 1..end] == b"status"
                        && status.is_none()
                        && body.get(value) == Some(&b'"')
                    {
                        let value_end = string_end(body, value + 1).ok_or(NotJson)?;
                        status = json_string(&body[value..=value_end]);
                        i = value_end;
                    } else {
                        i = colon;
                    }
                } else {
                    i = end;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(NotJson)
}

/// The body is not JSON, even in outline.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotJson;

fn skip_whitespace(body: &[u8], from: usize) -> usize {
    from + body.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_whitespace()).count()
    })
}

/// The index of the quote closing a string whose content starts at `from`.
fn string_end(body: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        i += memchr::memchr2(b'"', b'\\', body.get(i..)?)?;
        if body[i] == b'"' {
            return Some(i);
        }
        i += 2; // a backslash escapes the next byte
    }
}

/// A quoted JSON string's value: borrowed when it has no escapes.
fn json_string(quoted: &[u8]) -> Option<Cow<'_, str>> {
    let inner = &quoted[1..quoted.len() - 1];
    if !inner.contains(&b'\\') {
        return std::str::from_utf8(inner).ok().map(Cow::Borrowed);
    }
    serde_json::from_slice::<String>(quoted)
        .ok()
        .map(Cow::Owned)
}

/// Status, content type, `Retry-After` and a scrubbed excerpt of the body.
pub(crate) fn response_error(
    response: &Buffered,
    detail: Option<String>,
    redactor: &Redactor<'_>,
) -> ResponseError {
    let content_type = response
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| redactor.scrub(v));
    ResponseError::new(
        Some(response.status),
        content_type,
        excerpt(&response.body),
        detail,
        parse_retry_after(&response.headers, SystemTime::now()),
    )
}

/// The first [`EXCERPT_CHARS`] characters of `body` (already scrubbed of the credentials):
/// lossy UTF-8, whitespace runs and control characters collapsed to one space, `…` when cut.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut out = String::with_capacity(EXCERPT_CHARS.min(text.len()) + 3);
    let mut chars = 0;
    let mut pending_space = false;
    for c in text.chars() {
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
    use crate::ErrorCode;
    use reqwest::header::HeaderValue;
    use uberall_client::operations::POST_USERS_LOGOUT;

    fn buffered(status: u16, content_type: Option<&str>, body: &str) -> Buffered {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        Buffered {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    fn classified(status: u16, body: &str) -> Result<(), Error> {
        classify(
            &buffered(status, Some("application/json"), body),
            Some(&POST_USERS_LOGOUT),
            &Redactor::default(),
        )
    }

    #[test]
    fn envelope_becomes_api_error_for_any_status() {
        let body = r#"{"status":"BAD_ACCESS_TOKEN","message":"nope","errorCode":"UNKNOWN","x":1}"#;
        for status in [200, 401, 429, 500] {
            let Err(Error::Api(api)) = classified(status, body) else {
                panic!("{status}")
            };
            assert_eq!(api.http_status().as_u16(), status);
            assert_eq!(api.status(), &Status::BadAccessToken);
            assert_eq!(api.error_code(), Some(&ErrorCode::Unknown));
            assert_eq!(api.message(), Some("nope"));
        }
    }

    #[test]
    fn success_envelopes_and_other_json_pass_on() {
        for body in [
            r#"{"status":"SUCCESS","response":{}}"#,
            r#"{"response":{"status":"ERROR"}}"#,
            r#"[{"status":"ERROR"}]"#,
            r#"{"status":7}"#,
        ] {
            classified(200, body).unwrap_or_else(|e| panic!("{body}: {e}"));
        }
        // An empty body passes only where the docs describe none.
        assert!(matches!(classified(200, ""), Err(Error::Decode(_))));
        let no_body = Operation {
            example: None,
            statuses: &[204],
            ..POST_USERS_LOGOUT
        };
        let empty = buffered(204, None, "");
        classify(&empty, Some(&no_body), &Redactor::default()).unwrap();
    }

    #[test]
    fn an_undocumented_2xx_is_unexpected() {
        let err = classified(201, r#"{"status":"SUCCESS","response":{}}"#).unwrap_err();
        assert!(matches!(err, Error::UnexpectedStatus(_)), "{err:?}");
        let err = classified(201, r#"{"status":"ERROR"}"#).unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
    }

    #[test]
    fn a_2xx_that_is_not_json_is_a_decode_error_with_its_status() {
        let err = classified(200, "<html>oops</html>").unwrap_err();
        let Error::Decode(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.http_status(), Some(StatusCode::OK));
        assert_eq!(e.excerpt(), "<html>oops</html>");
    }

    #[test]
    fn non_envelope_bodies_split_by_the_operations_documented_statuses() {
        let html = "<html><body>Bad Gateway</body></html>";
        let err = classified(502, html).unwrap_err();
        let Error::UnexpectedStatus(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.excerpt(), html);
        assert_eq!(e.content_type(), Some("application/json"));
        // 401 is documented for logout: its body should have been the envelope.
        let err = classified(401, "").unwrap_err();
        let Error::Decode(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.excerpt(), "");
        assert!(e.detail().unwrap().contains("EOF"));
        // Without the operation's docs nothing is documented.
        let err = classify(&buffered(401, None, ""), None, &Redactor::default()).unwrap_err();
        assert!(matches!(err, Error::UnexpectedStatus(_)), "{err:?}");
    }

    #[test]
    fn probe_reads_only_a_top_level_string_status() {
        assert_eq!(
            envelope_status(br#"{"a":[1,{"status":"X"}],"status":"Y"}"#).unwrap(),
            Some("Y".into())
        );
        assert_eq!(envelope_status(br#"{"status":null}"#).unwrap(), None);
        assert_eq!(envelope_status(b"3").unwrap(), None);
        assert!(envelope_status(b"{").is_err());
        assert!(envelope_status(b"").is_err());
    }

    #[test]
    fn excerpt_is_short_and_single_line() {
        let long = format!("{}\n\n\tend", "a".repeat(500));
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(b"line one\r\n  line\x00two"), "line one line two");
        assert_eq!(excerpt(&[0xff, 0xfe, b'o', b'k']), "\u{fffd}\u{fffd}ok");
    }
}
