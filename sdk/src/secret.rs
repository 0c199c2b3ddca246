//! Credentials held as the exact header value they are sent as.

use std::fmt;

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
/// sensitive so that `http`'s own `Debug` hides them too.
pub(crate) struct SecretHeader {
    value: Bytes,
    // Where the secret starts inside `value`: after `Bearer ` or at 0.
    secret_start: u8,
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
        if !secret.bytes().all(|b| b.is_ascii_graphic()) {
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
/// A server (or a proxy's error page) may echo request headers back; error messages, excerpts
/// and trace output built from response bodies go through this first.
#[derive(Clone, Copy, Default)]
pub(crate) struct Redactor<'a> {
    secrets: [&'a str; 2],
}

pub(crate) const REDACTED: &str = "[REDACTED]";

impl<'a> Redactor<'a> {
    pub(crate) fn new(token: Option<&'a SecretHeader>, api_key: Option<&'a SecretHeader>) -> Self {
        Self {
            secrets: [
                token.map_or("", SecretHeader::secret),
                api_key.map_or("", SecretHeader::secret),
            ],
        }
    }

    /// The longest secret, so that callers cutting text can leave room to catch one whole.
    pub(crate) fn longest(&self) -> usize {
        self.secrets.iter().map(|s| s.len()).max().unwrap_or(0)
    }

    pub(crate) fn scrub(&self, text: &str) -> String {
        self.scrub_owned(text.to_owned())
    }

    /// [`scrub`](Self::scrub) for text already owned: no copy unless a secret is in it.
    pub(crate) fn scrub_owned(&self, mut text: String) -> String {
        for secret in self.secrets {
            if !secret.is_empty() && text.contains(secret) {
                text = text.replace(secret, REDACTED);
            }
        }
        text
    }

    /// Scrubs every string and object key of a JSON value (the envelope's `warnings` have no
    /// documented shape, so a secret may hide anywhere in them).
    pub(crate) fn scrub_value(&self, value: Value) -> Value {
        if self.secrets.iter().all(|s| s.is_empty()) {
            return value;
        }
        match value {
            Value::String(s) => Value::String(self.scrub_owned(s)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.scrub_value(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.scrub_owned(k), self.scrub_value(v)))
                    .collect(),
            ),
            other => other,
        }
    }

    /// [`scrub_value`](Self::scrub_value) for a list of values.
    pub(crate) fn scrub_values(&self, values: Vec<Value>) -> Vec<Value> {
        values.into_iter().map(|v| self.scrub_value(v)).collect()
    }
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
        assert_eq!(
            redactor
                .scrub_value(serde_json::json!({"tok-abc": ["x key-xyz", 1, {"k": "tok-abc"}]})),
            serde_json::json!({"[REDACTED]": ["x [REDACTED]", 1, {"k": "[REDACTED]"}]})
        );
        assert_eq!(redactor.longest(), 7);
    }
}
