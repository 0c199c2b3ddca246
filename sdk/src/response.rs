//! Reading a response for [`crate::policy`]: the envelope's `status` at a glance, and the
//! errors built from a response, with what they show redacted.

use std::{borrow::Cow, time::SystemTime};

use bytes::Bytes;
use reqwest::{
    StatusCode,
    header::{CONTENT_TYPE, HeaderMap},
};
use uberall_client::types::ErrorEnvelope;

use crate::{
    ErrorCode, Status,
    error::{ApiError, Error, ResponseError},
    retry::parse_retry_after,
    secret::Redactor,
};

/// Characters of body kept in an error.
const EXCERPT_CHARS: usize = 200;

/// A response with its body read (up to the cap), exactly as the server sent it.
#[derive(Debug)]
pub(crate) struct Buffered {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// An envelope of which only `status` could be read.
pub(crate) fn status_only(status: String) -> ErrorEnvelope {
    ErrorEnvelope {
        status: Status::from(status),
        error_code: None,
        message: None,
        response: serde_json::Map::new(),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct Warnings {
    #[serde(default)]
    pub(crate) warnings: Vec<serde_json::Value>,
}

/// The API's error answer; the strings it shows were decoded from the body as sent and are
/// redacted here.
pub(crate) fn api_error(
    response: &Buffered,
    envelope: ErrorEnvelope,
    warnings: Vec<serde_json::Value>,
    redactor: &Redactor<'_>,
) -> Error {
    Error::Api(ApiError::new(
        response.status,
        redactor.scrub_open(envelope.status, Status::as_str),
        envelope
            .error_code
            .map(|code| redactor.scrub_open(code, ErrorCode::as_str)),
        envelope.message.map(|m| redactor.scrub(m)),
        warnings
            .into_iter()
            .map(|w| redactor.scrub_value(w))
            .collect(),
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

/// Status, content type, `Retry-After` and an excerpt of the body, redacted.
pub(crate) fn summary(
    response: &Buffered,
    detail: Option<String>,
    redactor: &Redactor<'_>,
) -> ResponseError {
    let content_type = response
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| redactor.scrub(v.to_owned()));
    ResponseError::new(
        Some(response.status),
        content_type,
        excerpt(&response.body, redactor),
        detail,
        parse_retry_after(&response.headers, SystemTime::now()),
    )
}

/// The first [`EXCERPT_CHARS`] characters of `body`, credentials redacted: lossy UTF-8,
/// whitespace runs and control characters collapsed to one space, `…` when cut.
///
/// Redacted before it is cut, over a little more than is kept, so that a secret straddling
/// the cut is replaced whole rather than shown in part.
pub(crate) fn excerpt(body: &[u8], redactor: &Redactor<'_>) -> String {
    let head = &body[..body.len().min(EXCERPT_CHARS * 4 + redactor.longest())];
    let text = redactor.scrub(String::from_utf8_lossy(head).into_owned());
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
    use crate::secret::SecretHeader;

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
        let cut = excerpt(long.as_bytes(), &Redactor::default());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        let plain = Redactor::default();
        assert_eq!(
            excerpt(b"line one\r\n  line\x00two", &plain),
            "line one line two"
        );
        assert_eq!(
            excerpt(&[0xff, 0xfe, b'o', b'k'], &plain),
            "\u{fffd}\u{fffd}ok"
        );
    }

    #[test]
    fn excerpt_redacts_a_secret_across_the_cut_and_escaped() {
        let token = SecretHeader::new("Bearer ", "tok/secret", "access token").unwrap();
        let redactor = Redactor::new(Some(&token), None);
        let straddling = format!("{}tok/secret", "a".repeat(EXCERPT_CHARS - 3));
        let cut = excerpt(straddling.as_bytes(), &redactor);
        assert!(!cut.contains("tok"), "{cut}");
        let escaped = excerpt(br#"{"echo":"tok\/secret"}"#, &redactor);
        assert_eq!(escaped, r#"{"echo":"[REDACTED]"}"#);
    }
}
