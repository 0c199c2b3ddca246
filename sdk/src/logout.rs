//! `POST /users/logout`: its typed outcome and how its responses are read.

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::SystemTime,
};

#[cfg(test)]
use reqwest::StatusCode;
use reqwest::Url;
use serde_json::Value;
use uberall_client::{
    ResponseValue,
    operations::{self, Operation},
    types::PostUsersLogoutEnvelope,
};

use crate::{
    error::{ApiError, Error},
    retry::parse_retry_after,
    secret::Redactor,
};

/// The operation [`Session::logout`](crate::Session::logout) sends. The session's logout
/// rules (never renewed; an interrupted one may have taken effect) apply to it however it is
/// called, and the mock invalidates the token it carries.
pub(crate) const OPERATION: &Operation = &operations::POST_USERS_LOGOUT;

/// Whether `operation` is the logout (by id: a test table may carry its own entry for it).
pub(crate) fn is_logout(operation: Option<&Operation>) -> bool {
    operation.is_some_and(|op| op.id == OPERATION.id)
}

/// What a successful logout returned, from [`Session::logout`](crate::Session::logout).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = uberall_sdk::mock::MockServer::start().await?;
/// # let session = mock.client()?.session(mock.issue_token());
/// let outcome = session.logout().await?;
/// // The mock answers the documented example: `"redirectUrl": "http://example.com/redirect"`.
/// assert_eq!(outcome.redirect_url().map(|url| url.as_str()), Some("http://example.com/redirect"));
/// assert!(!outcome.was_already_logged_out());
/// println!("message {:?}, {} warnings", outcome.message(), outcome.warnings().len());
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct LogoutOutcome {
    /// `response.redirectUrl` as sent (not blank) and the request URL it is relative to,
    /// parsed into `resolved` on first access only: parsing a URL costs more CPU than all the
    /// rest of the SDK's own work on a logout, and most callers never look at it.
    redirect: Option<(String, Arc<Url>)>,
    /// Whether `redirect` holds a credential, which `Debug` then does not show.
    redirect_shows_secret: bool,
    /// Boxed: a `Url` inline would double the outcome's size, which every logout moves
    /// around several times, for the sake of callers that ask for it.
    resolved: OnceLock<Option<Box<Url>>>,
    message: Option<String>,
    warnings: Vec<Value>,
    already_logged_out: bool,
}

impl LogoutOutcome {
    /// Where the server suggests sending the user (`response.redirectUrl`), resolved against
    /// the request URL so that a relative value works too. `None` when absent, unparseable, or
    /// not an `http`/`https` URL.
    /// See the [`LogoutOutcome`] example.
    pub fn redirect_url(&self) -> Option<&Url> {
        self.resolved
            .get_or_init(|| {
                let (raw, request_url) = self.redirect.as_ref()?;
                resolve_redirect(raw, request_url).map(Box::new)
            })
            .as_deref()
    }

    /// The envelope's `message`, if any (credentials redacted).
    /// See the [`LogoutOutcome`] example.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The envelope's `warnings` (their shape is not documented, hence JSON values; credentials
    /// redacted from their strings).
    /// See the [`LogoutOutcome`] example.
    pub fn warnings(&self) -> &[Value] {
        &self.warnings
    }

    /// `true` when the server answered `BAD_ACCESS_TOKEN` to a logout that an earlier,
    /// interrupted attempt may already have performed, or to the logout of a session opened by
    /// login (its token had expired): the token is unusable, as asked, and the session is
    /// ended, but this outcome carries no redirect URL, message or warnings. See
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
        let redirect_url: &dyn fmt::Debug = if self.redirect_shows_secret {
            &"[REDACTED]"
        } else {
            &self.redirect_url()
        };
        f.debug_struct("LogoutOutcome")
            .field("redirect_url", redirect_url)
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

/// The outcome of a logout the transport let through as a success: its envelope's `status`
/// is `SUCCESS` (anything else came back as [`Error::Api`] already). `response.success:
/// false` is still a refusal.
///
/// The envelope's `message` and `warnings` are text the outcome (or the error) shows: the
/// credentials are redacted from them. `redirectUrl` is data the caller acts on and is kept
/// as sent; only `Debug` hides it when it holds a credential.
pub(crate) fn outcome(
    response: ResponseValue<PostUsersLogoutEnvelope>,
    request_url: &Arc<Url>,
    redactor: &Redactor<'_>,
) -> Result<LogoutOutcome, Error> {
    if response.response.success == Some(false) {
        let http_status = response.status();
        let retry_after = parse_retry_after(response.headers(), SystemTime::now());
        let envelope = response.into_inner();
        return Err(Error::Api(ApiError::new(
            http_status,
            envelope.status,
            None,
            envelope.message.map(|m| redactor.scrub(m)),
            scrub_all(envelope.warnings, redactor),
            retry_after,
        )));
    }
    let envelope = response.into_inner();
    let redirect = envelope
        .response
        .redirect_url
        .filter(|raw| !raw.trim().is_empty());
    let redirect_shows_secret = redirect
        .as_deref()
        .is_some_and(|raw| redactor.finds_in(raw));
    Ok(LogoutOutcome {
        redirect: redirect.map(|raw| (raw, Arc::clone(request_url))),
        redirect_shows_secret,
        resolved: OnceLock::new(),
        message: envelope.message.map(|m| redactor.scrub(m)),
        warnings: scrub_all(envelope.warnings, redactor),
        already_logged_out: false,
    })
}

/// In place: most envelopes carry no warnings, and an empty list then costs nothing.
fn scrub_all(mut values: Vec<Value>, redactor: &Redactor<'_>) -> Vec<Value> {
    for value in &mut values {
        *value = redactor.scrub_value(std::mem::take(value));
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn ok(body: &str) -> Result<LogoutOutcome, Error> {
        let envelope: PostUsersLogoutEnvelope = serde_json::from_str(body).unwrap();
        let response = ResponseValue::new(envelope, StatusCode::OK, HeaderMap::new());
        let url = Arc::new(Url::parse("https://uberall.com/api/users/logout").unwrap());
        outcome(response, &url, &Redactor::default())
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
    fn success_false_is_an_api_error() {
        let err = ok(r#"{"status":"SUCCESS","response":{"success":false}}"#).unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        assert_eq!(err.http_status(), Some(StatusCode::OK));
    }
}
