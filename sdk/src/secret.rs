//! Credentials held as the exact header value they are sent as.

use std::{borrow::Cow, fmt};

use bytes::Bytes;
use reqwest::header::HeaderValue;
use serde_json::Value;
use zeroize::Zeroize;

use crate::error::{ConfigError, Error};

/// A credential (access token or API key) stored once, as the bytes of its header value.
///
/// Building the value once per session means a request costs one reference-count increment
/// instead of formatting `Bearer <token>` into a fresh `String`. The bytes are wiped when the
/// last handle drops (best effort: a clone still owned by a request in flight keeps them until
/// that request ends). `Debug` never shows them, and header values made from it are marked
/// sensitive so that `http`'s own `Debug` hides them too. A clone shares the bytes (one
/// reference count), so a request in flight keeps the credential it was sent with while a
/// session's renewal replaces it.
#[derive(Clone)]
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

    /// Whether `other` is this very credential (a clone of it), not merely equal bytes.
    pub(crate) fn is(&self, other: &SecretHeader) -> bool {
        self.value.as_ptr() == other.value.as_ptr()
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
/// Response bodies are never changed: the generated code decodes what the server sent. What
/// the SDK shows is redacted instead, as it is shown: decoded strings (an envelope's
/// `message`, `warnings`, an unrecognised `status`) after decoding, so JSON escapes are
/// already undone there; raw text (a body excerpt, a header) as received. Both are searched
/// for the secret as sent and for the other forms a server may echo it in: inside a JSON
/// string (`\/`, `\"`, `\\`, in a body excerpt) or percent-encoded (in a URL, anywhere).
#[derive(Clone, Copy, Default)]
pub(crate) struct Redactor<'a> {
    /// The credentials as stored: their text is taken (a UTF-8 check of each) only when
    /// there is something to scrub, which most calls never have.
    secrets: [Option<&'a SecretHeader>; 2],
}

pub(crate) const REDACTED: &str = "[REDACTED]";

impl<'a> Redactor<'a> {
    pub(crate) fn new(token: Option<&'a SecretHeader>, api_key: Option<&'a SecretHeader>) -> Self {
        Self {
            secrets: [token, api_key],
        }
    }

    /// Each secret that is set, and whether escaping changes it.
    fn each(&self) -> impl Iterator<Item = (&'a str, bool)> {
        self.secrets
            .into_iter()
            .flatten()
            .map(|s| (s.secret(), s.escapes))
            .filter(|(secret, _)| !secret.is_empty())
    }

    /// The longest form a secret can take in raw text (percent-encoded: 3 bytes a byte).
    pub(crate) fn longest(&self) -> usize {
        self.each()
            .map(|(secret, _)| secret.len() * 3)
            .max()
            .unwrap_or(0)
    }

    /// `text` with every form of every secret replaced; no copy when there is none.
    pub(crate) fn scrub(&self, mut text: String) -> String {
        for (secret, escapes) in self.each() {
            text = replace(text, secret);
            if escapes {
                for form in escaped_forms(secret) {
                    text = replace(text, &form);
                }
            }
        }
        text
    }

    /// Whether `text` holds any form of any secret (what [`scrub`](Self::scrub) would
    /// replace), without copying `text`.
    pub(crate) fn finds_in(&self, text: &str) -> bool {
        self.each().any(|(secret, escapes)| {
            text.contains(secret)
                || (escapes && escaped_forms(secret).iter().any(|f| text.contains(&**f)))
        })
    }

    /// Every string inside a decoded JSON value, keys included.
    pub(crate) fn scrub_value(&self, value: Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.scrub(text)),
            Value::Array(items) => items.into_iter().map(|v| self.scrub_value(v)).collect(),
            Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| (self.scrub(k), self.scrub_value(v)))
                .collect(),
            other => other,
        }
    }

    /// A decoded `status` or `errorCode`: a value the docs list cannot be a secret, an
    /// unrecognised one may echo anything.
    pub(crate) fn scrub_open<T: From<String>>(&self, value: T, text: fn(&T) -> &str) -> T {
        let shown = text(&value);
        let scrubbed = self.scrub(shown.to_owned());
        if scrubbed == shown {
            return value;
        }
        T::from(scrubbed)
    }
}

/// `text` with every `form` replaced; no copy when there is none.
fn replace(text: String, form: &str) -> String {
    if text.contains(form) {
        text.replace(form, REDACTED)
    } else {
        text
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
            redactor.scrub("echo: Bearer tok-abc / key-xyz / tok-abc".into()),
            "echo: Bearer [REDACTED] / [REDACTED] / [REDACTED]"
        );
        assert_eq!(Redactor::default().scrub("plain".into()), "plain");
        assert!(redactor.finds_in("a key-xyz b") && redactor.finds_in("tok-abc"));
        assert!(!redactor.finds_in("tok-ab key-xy") && !Redactor::default().finds_in("x"));
        let value = serde_json::json!({"k": "tok-abc", "key-xyz": ["key-xyzkey-xyz", 1]});
        assert_eq!(
            redactor.scrub_value(value),
            serde_json::json!({"k": "[REDACTED]", "[REDACTED]": ["[REDACTED][REDACTED]", 1]})
        );
        let status = crate::Status::from("tok-abc!");
        assert_eq!(
            redactor.scrub_open(status, crate::Status::as_str).as_str(),
            "[REDACTED]!"
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
            let shown = redactor.scrub(format!("echo {echoed} end"));
            assert_eq!(shown, "echo [REDACTED] end", "{echoed}");
            assert!(redactor.finds_in(echoed), "{echoed}");
        }
    }
}
