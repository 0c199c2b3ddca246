//! `POST /users/logout`: its typed outcome and how its responses are read.

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::SystemTime,
};

use reqwest::{StatusCode, Url};
use serde_json::Value;
use uberall_client::types::{ErrorEnvelope, PostUsersLogoutEnvelope};

use crate::{
    Status,
    error::{ApiError, Error},
    http::RawResponse,
    response::{api_error, error_from_response, is_documented_error_status, response_error},
    retry::parse_retry_after,
    secret::Redactor,
};

/// What a successful logout returned.
#[derive(Clone, Default)]
pub struct LogoutOutcome {
    /// `response.redirectUrl` as sent (not blank) and the request URL it is relative to,
    /// parsed into `resolved` on first access only: parsing a URL costs more CPU than all the
    /// rest of the SDK's own work on a logout, and most callers never look at it.
    redirect: Option<(String, Arc<Url>)>,
    resolved: OnceLock<Option<Url>>,
    message: Option<String>,
    warnings: Vec<Value>,
    already_logged_out: bool,
}

impl LogoutOutcome {
    /// Where the server suggests sending the user (`response.redirectUrl`), resolved against
    /// the request URL so that a relative value works too. `None` when absent, unparseable, or
    /// not an `http`/`https` URL.
    pub fn redirect_url(&self) -> Option<&Url> {
        self.resolved
            .get_or_init(|| {
                let (raw, request_url) = self.redirect.as_ref()?;
                resolve_redirect(raw, request_url)
            })
            .as_ref()
    }

    /// The envelope's `message`, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The envelope's `warnings` (their shape is not documented, hence JSON values).
    pub fn warnings(&self) -> &[Value] {
        &self.warnings
    }

    /// `true` when the server answered `BAD_ACCESS_TOKEN` to a logout that an earlier,
    /// interrupted attempt may already have performed: the token is gone, as asked, but this
    /// outcome carries no redirect URL, message or warnings. See
    /// [`Session::logout`](crate::Session::logout) for the rule.
    pub fn was_already_logged_out(&self) -> bool {
        self.already_logged_out
    }

    pub(crate) fn already_logged_out() -> Self {
        Self {
            already_logged_out: true,
            ..Self::default()
        }
    }
}

impl PartialEq for LogoutOutcome {
    fn eq(&self, other: &Self) -> bool {
        self.redirect_url() == other.redirect_url()
            && self.message == other.message
            && self.warnings == other.warnings
            && self.already_logged_out == other.already_logged_out
    }
}

impl Eq for LogoutOutcome {}

impl fmt::Debug for LogoutOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogoutOutcome")
            .field("redirect_url", &self.redirect_url())
            .field("message", &self.message)
            .field("warnings", &self.warnings)
            .field("already_logged_out", &self.already_logged_out)
            .finish()
    }
}

/// `response.redirectUrl` resolved against the request URL; `None` (with a warning) when it
/// does not parse or is not a web URL.
fn resolve_redirect(raw: &str, request_url: &Url) -> Option<Url> {
    match request_url.join(raw.trim()) {
        // Callers send users there: only web URLs, never `javascript:` or `data:`.
        Ok(url) if matches!(url.scheme(), "http" | "https") => Some(url),
        Ok(url) => {
            tracing::warn!(
                scheme = url.scheme(),
                "ignoring redirectUrl with a non-web scheme in logout response"
            );
            None
        }
        Err(err) => {
            // The logout itself succeeded; failing it over a bad hint would make the caller
            // retry against a token that is already gone.
            tracing::warn!(error = %err, "ignoring unparseable redirectUrl in logout response");
            None
        }
    }
}

/// Reads a logout response: the outcome for a successful 200, the error otherwise.
pub(crate) fn interpret(
    response: &RawResponse,
    request_url: &Arc<Url>,
    redactor: &Redactor<'_>,
) -> Result<LogoutOutcome, Error> {
    if response.status != StatusCode::OK {
        let documented = is_documented_error_status(response.status.as_u16());
        return Err(error_from_response(response, documented, redactor));
    }
    let envelope = match serde_json::from_slice::<PostUsersLogoutEnvelope>(&response.body) {
        Ok(envelope) => envelope,
        Err(err) => {
            // A 200 may carry the error envelope (a `status` but no `response` object): that
            // is still the API's answer, not an undecodable one.
            if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(&response.body)
                && envelope.status != Status::Success
            {
                return Err(api_error(response, envelope, redactor));
            }
            let detail = Some(redactor.scrub(&err.to_string()));
            return Err(Error::Decode(response_error(response, detail, redactor)));
        }
    };
    if envelope.status != Status::Success || envelope.response.success == Some(false) {
        // The success envelope has no `errorCode`; an error answered with HTTP 200 may still
        // carry one (the error envelope's shape, `response: {}` included).
        let error_code = serde_json::from_slice::<ErrorEnvelope>(&response.body)
            .ok()
            .and_then(|e| e.error_code);
        return Err(Error::Api(ApiError::new(
            response.status,
            envelope.status,
            error_code,
            envelope.message.map(|m| redactor.scrub_owned(m)),
            redactor.scrub_values(envelope.warnings),
            parse_retry_after(&response.headers, SystemTime::now()),
        )));
    }
    let redirect = envelope
        .response
        .redirect_url
        .filter(|raw| !raw.trim().is_empty())
        .map(|raw| (raw, Arc::clone(request_url)));
    Ok(LogoutOutcome {
        redirect,
        resolved: OnceLock::new(),
        message: envelope.message.map(|m| redactor.scrub_owned(m)),
        warnings: redactor.scrub_values(envelope.warnings),
        already_logged_out: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::header::HeaderMap;

    fn ok(body: &str) -> Result<LogoutOutcome, Error> {
        let response = RawResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body.as_bytes()),
        };
        let url = Arc::new(Url::parse("https://uberall.com/api/users/logout").unwrap());
        interpret(&response, &url, &Redactor::default())
    }

    #[test]
    fn success_with_all_fields() {
        let outcome = ok(r#"{"status":"SUCCESS","message":"bye","warnings":["w"],
            "response":{"success":true,"redirectUrl":"http://example.com/redirect"},"extra":1}"#)
        .unwrap();
        assert_eq!(
            outcome.redirect_url().unwrap().as_str(),
            "http://example.com/redirect"
        );
        assert_eq!(outcome.message(), Some("bye"));
        assert_eq!(outcome.warnings(), [Value::from("w")]);
        assert!(!outcome.was_already_logged_out());
    }

    #[test]
    fn success_with_optional_fields_missing_or_relative() {
        let outcome = ok(r#"{"status":"SUCCESS","response":{}}"#).unwrap();
        assert_eq!(outcome, LogoutOutcome::default());
        let outcome = ok(r#"{"status":"SUCCESS","response":{"redirectUrl":"/login"}}"#).unwrap();
        assert_eq!(
            outcome.redirect_url().unwrap().as_str(),
            "https://uberall.com/login"
        );
        let outcome =
            ok(r#"{"status":"SUCCESS","response":{"redirectUrl":"http://[::1"}}"#).unwrap();
        assert_eq!(outcome.redirect_url(), None);
        for hostile in [
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
        ] {
            let body =
                format!(r#"{{"status":"SUCCESS","response":{{"redirectUrl":"{hostile}"}}}}"#);
            assert_eq!(ok(&body).unwrap().redirect_url(), None, "{hostile}");
        }
    }

    #[test]
    fn non_success_200_is_an_api_error() {
        let err =
            ok(r#"{"status":"BAD_ACCESS_TOKEN","message":"expired","response":{}}"#).unwrap_err();
        assert_eq!(err.status(), Some(&Status::BadAccessToken));
        assert_eq!(err.http_status(), Some(StatusCode::OK));
        let err = ok(r#"{"status":"SUCCESS","response":{"success":false}}"#).unwrap_err();
        assert!(matches!(err, Error::Api(_)));
        // Error envelope (no `response`) on a 200.
        let err = ok(r#"{"status":"NEW_STATUS","errorCode":"NEW_CODE"}"#).unwrap_err();
        assert_eq!(
            err.status(),
            Some(&Status::Unrecognized("NEW_STATUS".into()))
        );
    }

    #[test]
    fn undecodable_200_is_a_decode_error() {
        for body in [
            "",
            "{",
            "<html>hi</html>",
            r#"{"status":"SUCCESS"}"#,
            r#"{"status":1}"#,
        ] {
            let err = ok(body).unwrap_err();
            assert!(matches!(err, Error::Decode(_)), "{body}: {err:?}");
        }
    }
}
