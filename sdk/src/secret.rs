//! Credentials held as the exact header value they are sent as.

use std::{borrow::Cow, fmt};

use bytes::Bytes;
use reqwest::header::HeaderValue;
use zeroize::Zeroize;

use crate::error::{ConfigError, Error};

/// A credential (access token or API key) stored once, as the bytes of its header value.
///
/// Building the value once per session means a request costs one reference-count increment
/// instead of formatting `Bearer <token>` into a fresh `String`. The bytes are wiped when the
/// last handle drops (best effort: a clone still owned by a request in flight keeps them until
/// that request ends). `Debug` never shows them, and header values made from it are marked
/// sensitive so that `http`'s own `Debug` hides them too.
pub(crate) struct SecretHeader {
    value: Bytes,
    // Where the secret starts inside `value`: after `Bearer ` or at 0.
    secret_start: u8,
    // Whether JSON-escaping or percent-encoding changes the secret, so that the redactor
    // looks for those forms too; decided once here rather than on every response.
    escapes: bool,
}

impl SecretHeader {
    /// Checks that `secret` can travel in a header, then stores `prefix` + `secret`.
    ///
    /// `what` names the credential in the error; the error never quotes the value.
    pub(crate) fn new(prefix: &'static str, secret: &str, what: &str) -> Result<Self, ConfigError> {
        if secret.is_empty() {
            return Err(ConfigError::new(format!("the {what} is empty")));
        }
        // Visible ASCII only: a space, control character or non-ASCII byte in a token is a
        // copy-paste accident, and rejecting it here keeps `header_value` infallible in practice.
        // One pass also learns whether escaping would change the secret: unreserved characters
        // are the same in every form (JSON escapes none of them).
        let (mut graphic, mut escapes) = (true, false);
        for b in secret.bytes() {
            graphic &= b.is_ascii_graphic();
            escapes |= !is_unreserved(b);
        }
        if !graphic {
            return Err(ConfigError::new(format!(
                "the {what} contains characters that cannot be sent in an HTTP header \
                 (only visible ASCII is allowed)"
            )));
        }
        let secret_start = u8::try_from(prefix.len())
            .map_err(|_| ConfigError::new("credential prefix too long"))?;
        let mut value = Vec::with_capacity(prefix.len() + secret.len());
        value.extend_from_slice(prefix.as_bytes());
        value.extend_from_slice(secret.as_bytes());
        Ok(Self {
            value: Bytes::from(value),
            secret_start,
            escapes,
        })
    }

    /// The header value, sharing this credential's bytes and marked sensitive.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, Error> {
        let mut value = HeaderValue::from_maybe_shared(self.value.clone()).map_err(|_| {
            Error::Config(ConfigError::new("credential is not a valid header value"))
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The bare secret, for scrubbing it out of text that came back from the server.
    pub(crate) fn secret(&self) -> &str {
        // Only visible ASCII was stored, so any split point is a char boundary.
        std::str::from_utf8(&self.value[usize::from(self.secret_start)..]).unwrap_or_default()
    }
}

impl fmt::Debug for SecretHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl Drop for SecretHeader {
    fn drop(&mut self) {
        if let Ok(mut unique) = std::mem::take(&mut self.value).try_into_mut() {
            unique.as_mut().zeroize();
        }
    }
}

/// Replaces every occurrence of the credentials in text that is about to be shown.
///
/// A server (or a proxy's error page) may echo request headers back, verbatim or escaped: as
/// a JSON string (`\/`, `\"`, `\\`) or percent-encoded. Response bodies go through
/// [`scrub_body`](Self::scrub_body) before anything is decoded from them, so every error,
/// outcome and trace field built from a body is clean; header text goes through
/// [`scrub`](Self::scrub).
#[derive(Clone, Copy, Default)]
pub(crate) struct Redactor<'a> {
    /// Each secret, and whether escaping changes it.
    secrets: [(&'a str, bool); 2],
}

pub(crate) const REDACTED: &str = "[REDACTED]";

impl<'a> Redactor<'a> {
    pub(crate) fn new(token: Option<&'a SecretHeader>, api_key: Option<&'a SecretHeader>) -> Self {
        let entry = |secret: Option<&'a SecretHeader>| {
            secret.map_or(("", false), |s| (s.secret(), s.escapes))
        };
        Self {
            secrets: [entry(token), entry(api_key)],
        }
    }

    /// Calls `each` with every form of every secret: as sent, then its escaped forms (built
    /// only for a secret that escaping changes, rare for tokens and keys).
    fn for_each_form(&self, mut each: impl FnMut(&str)) {
        for (secret, escapes) in self.secrets {
            if secret.is_empty() {
                continue;
            }
            each(secret);
            if escapes {
                for form in escaped_forms(secret) {
                    each(&form);
                }
            }
        }
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        self.scrub_owned(text.to_owned())
    }

    /// [`scrub`](Self::scrub) for text already owned: no copy unless a secret is in it.
    pub(crate) fn scrub_owned(&self, mut text: String) -> String {
        self.for_each_form(|form| {
            if text.contains(form) {
                text = text.replace(form, REDACTED);
            }
        });
        text
    }

    /// The body with every form of every secret replaced; the same buffer (no copy) when it
    /// holds none.
    pub(crate) fn scrub_body(&self, body: Bytes) -> Bytes {
        let mut body = body;
        self.for_each_form(|form| {
            if let Some(replaced) = replace_all(&body, form.as_bytes(), REDACTED.as_bytes()) {
                body = Bytes::from(replaced);
            }
        });
        body
    }
}

/// The forms a secret takes once escaped as a JSON string or percent-encoded, other than the
/// secret itself.
fn escaped_forms(secret: &str) -> Vec<Cow<'static, str>> {
    let mut forms: Vec<Cow<'static, str>> = Vec::new();
    let mut push = |form: String| {
        if form != secret && !forms.iter().any(|f| *f == form) {
            forms.push(Cow::Owned(form));
        }
    };
    let json = |escape_slash: bool| {
        let mut out = String::with_capacity(secret.len());
        for c in secret.chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '/' if escape_slash => out.push_str("\\/"),
                c => out.push(c),
            }
        }
        out
    };
    if secret.contains(['"', '\\', '/']) {
        push(json(true));
        push(json(false));
    }
    if !secret.bytes().all(is_unreserved) {
        let encode = |upper: bool| {
            let mut out = String::with_capacity(secret.len() * 3);
            for b in secret.bytes() {
                if is_unreserved(b) {
                    out.push(char::from(b));
                } else if upper {
                    out.push_str(&format!("%{b:02X}"));
                } else {
                    out.push_str(&format!("%{b:02x}"));
                }
            }
            out
        };
        push(encode(true));
        push(encode(false));
    }
    forms
}

/// RFC 3986 unreserved characters: percent-encoding leaves them as they are.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `haystack` with every `needle` replaced, or `None` when there is none.
fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Option<Vec<u8>> {
    let mut at = find(haystack, needle, 0)?;
    let mut out = Vec::with_capacity(haystack.len());
    let mut copied = 0;
    loop {
        out.extend_from_slice(&haystack[copied..at]);
        out.extend_from_slice(with);
        copied = at + needle.len();
        match find(haystack, needle, copied) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.extend_from_slice(&haystack[copied..]);
    Some(out)
}

/// The first `needle` in `haystack` at or after `from`. A SIMD scan for the needle's first
/// byte, then a comparison: for the short secrets and small bodies of this API that beats
/// building a substring searcher (which cost more than the rest of the SDK's work per call).
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let mut start = from;
    while let Some(offset) = memchr::memchr(first, haystack.get(start..)?) {
        let at = start + offset;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let token = SecretHeader::new("Bearer ", "tok-123-secret", "access token").unwrap();
        assert_eq!(format!("{token:?}"), "[REDACTED]");
        let value = token.header_value().unwrap();
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("tok-123-secret"));
        assert_eq!(value.as_bytes(), b"Bearer tok-123-secret");
        assert_eq!(token.secret(), "tok-123-secret");
    }

    #[test]
    fn rejects_values_that_cannot_be_headers_without_quoting_them() {
        for bad in ["", "has space", "new\nline", "naïve"] {
            let err = SecretHeader::new("", bad, "API key").unwrap_err();
            let text = err.to_string();
            assert!(text.contains("API key"), "{text}");
            if !bad.is_empty() {
                assert!(!text.contains(bad), "{text}");
            }
        }
    }

    #[test]
    fn redactor_scrubs_every_secret() {
        let token = SecretHeader::new("Bearer ", "tok-abc", "access token").unwrap();
        let key = SecretHeader::new("", "key-xyz", "API key").unwrap();
        let redactor = Redactor::new(Some(&token), Some(&key));
        assert_eq!(
            redactor.scrub("echo: Bearer tok-abc / key-xyz / tok-abc"),
            "echo: Bearer [REDACTED] / [REDACTED] / [REDACTED]"
        );
        assert_eq!(Redactor::default().scrub("plain"), "plain");
        let body = Bytes::from_static(br#"{"k":"tok-abc","m":"key-xyzkey-xyz"}"#);
        assert_eq!(
            &redactor.scrub_body(body)[..],
            br#"{"k":"[REDACTED]","m":"[REDACTED][REDACTED]"}"#
        );
    }

    #[test]
    fn redactor_scrubs_escaped_forms() {
        let token = SecretHeader::new("Bearer ", "a/b+c=\\\"d", "access token").unwrap();
        let redactor = Redactor::new(Some(&token), None);
        for echoed in [
            r#"a/b+c=\"d"#,        // as sent
            r#"a\/b+c=\\\"d"#,     // JSON string, `/` escaped
            r#"a/b+c=\\\"d"#,      // JSON string, `/` as is
            "a%2Fb%2Bc%3D%5C%22d", // percent-encoded
            "a%2fb%2bc%3d%5c%22d", // percent-encoded, lower-case hex
        ] {
            let body = Bytes::from(format!("echo {echoed} end"));
            let scrubbed = redactor.scrub_body(body);
            assert_eq!(&scrubbed[..], b"echo [REDACTED] end", "{echoed}");
            assert_eq!(redactor.scrub(&format!("<{echoed}>")), "<[REDACTED]>");
        }
    }

    #[test]
    fn a_clean_body_is_not_copied() {
        let token = SecretHeader::new("", "tok", "access token").unwrap();
        let body = Bytes::from(b"nothing to see".to_vec());
        let pointer = body.as_ptr();
        assert_eq!(
            Redactor::new(Some(&token), None).scrub_body(body).as_ptr(),
            pointer
        );
    }
}
