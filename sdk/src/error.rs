//! The one error type of the SDK, and the details it carries.

use std::{borrow::Cow, fmt, sync::Arc, time::Duration};

use reqwest::StatusCode;
use serde_json::Value;

pub use crate::security::CredentialError;
use crate::{ErrorCode, Status};

/// `Result<T, uberall_sdk::Error>`; see [`Error`] for an example of matching on the error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to uberall, for any operation.
///
/// Match on the variant for the kind of failure, or use the helpers that cut across variants:
/// [`is_retryable`](Error::is_retryable), [`is_auth`](Error::is_auth),
/// [`http_status`](Error::http_status), [`status`](Error::status),
/// [`error_code`](Error::error_code), [`retry_after`](Error::retry_after).
///
/// Every error of a generated operation called through a [`Session`](crate::Session)
/// converts into this type with `?` or `Error::from` (see
/// [`Session::api`](crate::Session::api)); which HTTP statuses an operation documents comes
/// from the spec, through `uberall_client::operations`.
///
/// No variant's `Display` or `Debug` contains the access token or the API key: what an error
/// shows from a response (message, warnings, an unrecognised status, a body excerpt, the
/// content type) has both redacted, in the excerpt also their JSON-escaped and
/// percent-encoded forms.
///
/// `Error` is `Clone` so that every caller of a shared logout gets the same outcome.
///
/// ```
/// # async fn demo(session: uberall_sdk::Session) {
/// use uberall_sdk::{Error, Status};
///
/// match session.logout().await {
///     Ok(outcome) => println!("logged out: {outcome:?}"),
///     Err(Error::SessionEnded) => println!("already logged out here"),
///     Err(err) if err.is_auth() => println!("credentials rejected: {err}"),
///     Err(Error::Api(api)) if api.status() == &Status::ResourceLocked => println!("try later"),
///     Err(err) => println!("logout failed (HTTP {:?}): {err}", err.http_status()),
/// }
/// # }
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered, and its answer is an error: a non-2xx response carrying the uberall
    /// envelope, or a 2xx whose envelope `status` is not `SUCCESS` (for logout, also one whose
    /// `response.success` is `false`).
    #[error(transparent)]
    Api(ApiError),
    /// The session was logged out; nothing was sent. Open a new session with a new token.
    #[error("the session has ended: its access token was logged out (nothing was sent)")]
    SessionEnded,
    /// An attempt (connect, send, read the response) or the whole call (all attempts and the
    /// waits between them) ran out of time; [`TimeoutError::is_deadline`] says which.
    #[error(transparent)]
    Timeout(TimeoutError),
    /// The HTTP exchange failed: connection refused or reset, TLS failure, a malformed response.
    #[error("{}", if .0.is_connect() {
        "could not connect to uberall (the request was not sent)"
    } else {
        "the HTTP exchange with uberall failed"
    })]
    Transport(#[source] TransportError),
    /// An HTTP status whose body the operation's docs describe came with a body that is not
    /// that JSON: malformed, empty, a missing required field, an HTML page.
    #[error("could not decode the uberall response: {0}")]
    Decode(ResponseError),
    /// An HTTP status the operation's docs do not list (5xx, 3xx, 429, ...) without the uberall
    /// error envelope, e.g. a proxy's HTML error page or a redirect that was not followed.
    #[error("unexpected response from uberall: {0}")]
    UnexpectedStatus(ResponseError),
    /// The response body is larger than the configured cap; it was not read past the cap.
    #[error("the uberall response body exceeds the {limit}-byte limit (HTTP {http_status})")]
    #[non_exhaustive]
    BodyTooLarge {
        /// HTTP status of the response.
        http_status: StatusCode,
        /// The cap, from [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
        limit: usize,
    },
    /// The client or session configuration is invalid; nothing was sent.
    #[error(transparent)]
    Config(ConfigError),
    /// The generated operation could not build the request from the arguments given (e.g. a
    /// required parameter was not set); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The operation's security requirement (from its doc) cannot be met by this call: it
    /// needs a credential the caller lacks (a token through [`Client::api`](crate::Client::api),
    /// or an API key the client was built without), or a scheme this SDK cannot send (such as
    /// `publicKey`). Nothing was sent.
    #[error(transparent)]
    MissingCredential(CredentialError),
}

impl Error {
    /// Whether sending the same request again may succeed **and** is safe for its operation.
    ///
    /// Transient failures qualify (connect errors, attempt timeouts, dropped connections,
    /// HTTP 429, 502, 503, 504 and status `QUOTA_LIMIT_EXCEED`; never authentication or
    /// validation errors), but for an operation that is not idempotent (most `POST`s: sending
    /// it twice could, say, create a record twice) only when the server certainly did not
    /// process it: no connection was made, or it answered 429, 503 or `QUOTA_LIMIT_EXCEED`. A
    /// 502 to such a `POST` is therefore `false`: the SDK did not retry it, and neither should
    /// you without checking what happened.
    ///
    /// The client has already retried such errors as its [`RetryConfig`](crate::RetryConfig)
    /// allows: one you see has used up those attempts, or the server asked to wait longer
    /// than [`RetryConfig::max_retry_after`](crate::RetryConfig::max_retry_after) (see
    /// [`retry_after`](Self::retry_after)). `true` says a later retry is safe, not that one is
    /// due now.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => e.0.retryable,
            Self::Decode(e) | Self::UnexpectedStatus(e) => e.0.retryable,
            Self::Timeout(e) => e.0.retryable,
            Self::Transport(e) => e.retryable,
            Self::SessionEnded
            | Self::BodyTooLarge { .. }
            | Self::Config(_)
            | Self::InvalidRequest(_)
            | Self::MissingCredential(_) => false,
        }
    }

    /// Records the verdict of [`crate::policy`] for [`is_retryable`](Self::is_retryable).
    pub(crate) fn set_retryable(&mut self, retryable: bool) {
        match self {
            Self::Api(e) => e.0.retryable = retryable,
            Self::Decode(e) | Self::UnexpectedStatus(e) => e.0.retryable = retryable,
            Self::Timeout(e) => e.0.retryable = retryable,
            Self::Transport(e) => e.retryable = retryable,
            Self::SessionEnded
            | Self::BodyTooLarge { .. }
            | Self::Config(_)
            | Self::InvalidRequest(_)
            | Self::MissingCredential(_) => {}
        }
    }

    /// Whether the credentials were refused: HTTP 401 or 403, or status `NOT_AUTHORIZED`,
    /// `FORBIDDEN`, `BAD_ACCESS_TOKEN`, `BAD_PRIVATE_KEY` or `BAD_PUBLIC_KEY`.
    /// See the [`Error`] example.
    ///
    /// The API's own `status` is more specific than the HTTP status: a 401 or 403 whose
    /// status is `QUOTA_LIMIT_EXCEED` is a quota answer, not a refusal of the credentials, so it
    /// is not an auth error (and is retried).
    pub fn is_auth(&self) -> bool {
        crate::policy::is_auth(self)
    }

    /// Whether this is [`Error::SessionEnded`].
    pub fn is_session_ended(&self) -> bool {
        matches!(self, Self::SessionEnded)
    }

    /// Whether the call was refused before sending because the operation's security
    /// requirement cannot be met ([`Error::MissingCredential`]).
    pub fn is_missing_credential(&self) -> bool {
        matches!(self, Self::MissingCredential(_))
    }

    /// Whether this is [`Error::Timeout`] (of an attempt or of the whole call).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }

    /// The HTTP status of the response, when one was received.
    /// See the [`Error`] example.
    pub fn http_status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(e) => Some(e.http_status()),
            Self::Decode(e) | Self::UnexpectedStatus(e) => e.http_status(),
            Self::BodyTooLarge { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }

    /// The envelope's `status`, for [`Error::Api`].
    pub fn status(&self) -> Option<&Status> {
        match self {
            Self::Api(e) => Some(e.status()),
            _ => None,
        }
    }

    /// The envelope's `errorCode`, for [`Error::Api`] when the server sent one.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api(e) => e.error_code(),
            _ => None,
        }
    }

    /// The envelope's `message`, for [`Error::Api`] when the server sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.message(),
            _ => None,
        }
    }

    /// How long the server asked to wait (`Retry-After`, seconds or HTTP date), if it did.
    ///
    /// A wait longer than [`RetryConfig::max_retry_after`](crate::RetryConfig::max_retry_after)
    /// is not slept through: the error comes back at once with this set.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(e) => e.retry_after(),
            Self::UnexpectedStatus(e) | Self::Decode(e) => e.retry_after(),
            _ => None,
        }
    }

    /// A short, stable name of the variant, for trace fields.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Api(_) => "api",
            Self::SessionEnded => "session_ended",
            Self::Timeout(_) => "timeout",
            Self::Transport(_) => "transport",
            Self::Decode(_) => "decode",
            Self::UnexpectedStatus(_) => "unexpected_status",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::Config(_) => "config",
            Self::InvalidRequest(_) => "invalid_request",
            Self::MissingCredential(_) => "missing_credential",
        }
    }

    /// A failed exchange; a timeout is the attempt's own unless `deadline` says the attempt's
    /// limit was what was left of the call's deadline.
    pub(crate) fn from_reqwest(err: reqwest::Error, limit: Option<(Duration, bool)>) -> Self {
        if err.is_timeout() {
            let (limit, deadline) = limit.unwrap_or((Duration::ZERO, false));
            Self::Timeout(TimeoutError::new(
                deadline,
                limit,
                Some(TransportError::new(err)),
            ))
        } else {
            Self::Transport(TransportError::new(err))
        }
    }
}

impl From<ConfigError> for Error {
    fn from(err: ConfigError) -> Self {
        Self::Config(err)
    }
}

/// An error answer of the API: HTTP status plus the uberall envelope.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use uberall_sdk::mock::{MockResponse, MockServer};
/// # let mock = MockServer::start().await?;
/// # mock.enqueue(MockResponse::api_error(423, Status::ResourceLocked, Some(ErrorCode::DataCorrupted), "locked").with_header("Retry-After", "1"));
/// # let session = mock.client_builder().retry(uberall_sdk::RetryConfig::disabled()).build()?.session(mock.issue_token());
/// use uberall_sdk::{Error, ErrorCode, Status};
///
/// let Err(Error::Api(api)) = session.logout().await else { panic!("not an API error") };
/// assert_eq!(api.http_status(), 423);
/// assert_eq!(api.status(), &Status::ResourceLocked);
/// assert_eq!(api.error_code(), Some(&ErrorCode::DataCorrupted));
/// assert_eq!(api.message(), Some("locked"));
/// assert!(api.warnings().is_empty());
/// println!("retry after {:?}", api.retry_after());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ApiError(Box<ApiErrorInner>);

#[derive(Clone, Debug)]
struct ApiErrorInner {
    http_status: StatusCode,
    status: Status,
    error_code: Option<ErrorCode>,
    message: Option<String>,
    warnings: Vec<Value>,
    retry_after: Option<Duration>,
    retryable: bool,
    /// What the SDK adds for the reader, e.g. that no credential was sent.
    note: Option<&'static str>,
}

impl ApiError {
    pub(crate) fn new(
        http_status: StatusCode,
        status: Status,
        error_code: Option<ErrorCode>,
        message: Option<String>,
        warnings: Vec<Value>,
        retry_after: Option<Duration>,
    ) -> Self {
        Self(Box::new(ApiErrorInner {
            http_status,
            status,
            error_code,
            message,
            warnings,
            retry_after,
            retryable: false,
            note: None,
        }))
    }

    /// Adds a remark of the SDK's to the message shown.
    pub(crate) fn with_note(mut self, note: &'static str) -> Self {
        self.0.note = Some(note);
        self
    }

    /// HTTP status of the response (200 for a `SUCCESS`-less 200).
    /// See the [`ApiError`] example.
    pub fn http_status(&self) -> StatusCode {
        self.0.http_status
    }

    /// The envelope's `status`; values the docs do not list arrive as `Status::Unrecognized`.
    /// See the [`ApiError`] example.
    pub fn status(&self) -> &Status {
        &self.0.status
    }

    /// The envelope's `errorCode`, when present.
    /// See the [`ApiError`] example.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.0.error_code.as_ref()
    }

    /// The envelope's `message`, when present (credentials redacted).
    /// See the [`ApiError`] example.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The envelope's `warnings` (only 200 envelopes carry them).
    /// See the [`ApiError`] example.
    pub fn warnings(&self) -> &[Value] {
        &self.0.warnings
    }

    /// The server's `Retry-After`, when it sent one.
    /// See the [`ApiError`] example.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("http_status", &self.0.http_status)
            .field("status", &self.0.status)
            .field("error_code", &self.0.error_code)
            .field("message", &self.0.message)
            .field("warnings", &self.0.warnings)
            .field("retry_after", &self.0.retry_after)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "uberall API error: HTTP {}, status {}",
            self.0.http_status.as_u16(),
            self.0.status
        )?;
        if let Some(code) = &self.0.error_code {
            write!(f, ", errorCode {code}")?;
        }
        if let Some(message) = &self.0.message {
            write!(f, ": {message}")?;
        }
        if let Some(note) = self.0.note {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A response the SDK could not turn into an API answer: what came back, in short.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use uberall_sdk::mock::{MockResponse, MockServer};
/// # let mock = MockServer::start().await?;
/// # mock.enqueue(MockResponse::new(200).with_body("<html>maintenance</html>").with_content_type("text/html"));
/// # let session = mock.client()?.session(mock.issue_token());
/// use uberall_sdk::Error;
///
/// // A documented status (logout's 200) with a body that is not its JSON.
/// let Err(Error::Decode(response)) = session.logout().await else { panic!("not a decode error") };
/// assert_eq!(response.content_type(), Some("text/html"));
/// assert_eq!(response.excerpt(), "<html>maintenance</html>");
/// println!("HTTP {:?}: {:?}", response.http_status(), response.detail());
/// assert_eq!(response.retry_after(), None);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ResponseError(Box<ResponseErrorInner>);

#[derive(Clone, Debug)]
struct ResponseErrorInner {
    http_status: Option<StatusCode>,
    content_type: Option<String>,
    excerpt: String,
    detail: Option<String>,
    retry_after: Option<Duration>,
    retryable: bool,
}

impl ResponseError {
    pub(crate) fn new(
        http_status: Option<StatusCode>,
        content_type: Option<String>,
        excerpt: String,
        detail: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        Self(Box::new(ResponseErrorInner {
            http_status,
            content_type,
            excerpt,
            detail,
            retry_after,
            retryable: false,
        }))
    }

    /// HTTP status of the response; `None` only when the generated client rejected a 2xx body
    /// (it does not report the status with that error).
    /// See the [`ResponseError`] example.
    pub fn http_status(&self) -> Option<StatusCode> {
        self.0.http_status
    }

    /// The response's `Content-Type`, if it had a readable one.
    /// See the [`ResponseError`] example.
    pub fn content_type(&self) -> Option<&str> {
        self.0.content_type.as_deref()
    }

    /// The start of the body (at most a few hundred characters, lossy UTF-8, control
    /// characters replaced, credentials redacted). Empty for an empty body.
    /// See the [`ResponseError`] example.
    pub fn excerpt(&self) -> &str {
        &self.0.excerpt
    }

    /// Why decoding failed (the JSON parser's message), or what else was wrong.
    /// See the [`ResponseError`] example.
    pub fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    /// The server's `Retry-After`, when it sent one.
    /// See the [`ResponseError`] example.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
}

impl fmt::Debug for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseError")
            .field("http_status", &self.0.http_status)
            .field("content_type", &self.0.content_type)
            .field("excerpt", &self.0.excerpt)
            .field("detail", &self.0.detail)
            .field("retry_after", &self.0.retry_after)
            .finish()
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.http_status {
            Some(status) => write!(f, "HTTP {}", status.as_u16())?,
            None => f.write_str("HTTP 2xx")?,
        }
        match &self.0.content_type {
            Some(content_type) => write!(f, ", content-type {content_type}")?,
            None => f.write_str(", no content-type")?,
        }
        if let Some(detail) = &self.0.detail {
            write!(f, ": {detail}")?;
        }
        if self.0.excerpt.is_empty() {
            f.write_str("; empty body")
        } else {
            write!(f, "; body starts with {:?}", self.0.excerpt)
        }
    }
}

impl std::error::Error for ResponseError {}

/// A failed HTTP exchange: the underlying [`reqwest::Error`], whose message and causes it
/// shows.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use uberall_sdk::{Client, Error, RetryConfig};
///
/// // A port nothing listens on: the connection is refused.
/// let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let client = Client::builder()
///     .base_url(format!("http://127.0.0.1:{port}/api"))
///     .retry(RetryConfig::disabled())
///     .build()?;
/// let Err(Error::Transport(transport)) = client.session("token").logout().await else {
///     panic!("not a transport error")
/// };
/// assert!(transport.is_connect()); // nothing was sent
/// assert!(transport.reqwest().is_connect());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TransportError {
    err: Arc<reqwest::Error>,
    retryable: bool,
}

impl TransportError {
    fn new(err: reqwest::Error) -> Self {
        Self {
            err: Arc::new(err),
            retryable: false,
        }
    }

    /// Whether the connection could not be established (so the request was never sent).
    /// See the [`TransportError`] example.
    pub fn is_connect(&self) -> bool {
        self.err.is_connect()
    }

    /// The underlying `reqwest` error.
    /// See the [`TransportError`] example.
    pub fn reqwest(&self) -> &reqwest::Error {
        &self.err
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.err, f)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.err, f)
    }
}

impl std::error::Error for TransportError {
    // Displayed as the reqwest error itself, so the chain continues with that error's cause.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.err)
    }
}

/// A call that ran out of time: one attempt, or the whole call with its retries.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use uberall_sdk::mock::{MockResponse, MockServer};
/// # let mock = MockServer::start().await?;
/// use std::time::Duration;
/// use uberall_sdk::{Error, RetryConfig};
///
/// mock.enqueue(MockResponse::passthrough().with_delay(Duration::from_secs(5)));
/// let client = mock
///     .client_builder()
///     .timeout(Duration::from_millis(50))
///     .retry(RetryConfig::disabled())
///     .build()?;
/// let Err(Error::Timeout(timeout)) = client.session(mock.issue_token()).logout().await else {
///     panic!("not a timeout")
/// };
/// assert!(!timeout.is_deadline()); // the attempt's limit, not the call's
/// assert!(!timeout.is_connect());
/// assert_eq!(timeout.limit(), Duration::from_millis(50));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TimeoutError(Box<TimeoutErrorInner>);

#[derive(Clone, Debug)]
struct TimeoutErrorInner {
    deadline: bool,
    limit: Duration,
    source: Option<TransportError>,
    retryable: bool,
}

impl TimeoutError {
    fn new(deadline: bool, limit: Duration, source: Option<TransportError>) -> Self {
        Self(Box::new(TimeoutErrorInner {
            deadline,
            limit,
            source,
            retryable: false,
        }))
    }

    pub(crate) fn deadline(limit: Duration) -> Self {
        Self::new(true, limit, None)
    }

    /// `true` when the call's overall deadline ran out
    /// ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline)); `false` when one
    /// attempt did ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    pub fn is_deadline(&self) -> bool {
        self.0.deadline
    }

    /// The limit that ran out.
    /// See the [`TimeoutError`] example.
    pub fn limit(&self) -> Duration {
        self.0.limit
    }

    /// Whether it ran out while connecting (so the request was never sent).
    /// See the [`TimeoutError`] example.
    pub fn is_connect(&self) -> bool {
        self.0
            .source
            .as_ref()
            .is_some_and(TransportError::is_connect)
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.0.deadline {
            "the call to uberall ran out of its deadline"
        } else {
            "an attempt to reach uberall timed out"
        };
        write!(f, "{what} ({:?})", self.0.limit)
    }
}

impl std::error::Error for TimeoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Invalid configuration: a bad base URL, a credential that cannot be a header, a missing
/// environment variable. The message names the setting, never a secret value.
///
/// ```
/// use uberall_sdk::{Client, Error};
///
/// let Err(Error::Config(config)) = Client::builder().base_url("http://example.com").build() else {
///     panic!("plain http to a remote host is refused")
/// };
/// println!("{}", config.message());
/// ```
#[derive(Clone, Debug)]
pub struct ConfigError(Cow<'static, str>);

impl ConfigError {
    pub(crate) fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self(message.into())
    }

    /// What is wrong, in words.
    /// See the [`ConfigError`] example.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid uberall SDK configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn unexpected(http: u16) -> Error {
        Error::UnexpectedStatus(ResponseError::new(
            Some(StatusCode::from_u16(http).unwrap()),
            Some("text/html".into()),
            "<html>".into(),
            None,
            None,
        ))
    }

    #[test]
    fn accessors_and_display() {
        let err = Error::Api(ApiError::new(
            StatusCode::UNAUTHORIZED,
            Status::BadAccessToken,
            Some(ErrorCode::Unknown),
            Some("token expired".into()),
            Vec::new(),
            Some(Duration::from_secs(2)),
        ));
        assert_eq!(err.http_status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(err.status(), Some(&Status::BadAccessToken));
        assert_eq!(err.error_code(), Some(&ErrorCode::Unknown));
        assert_eq!(err.message(), Some("token expired"));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(
            err.to_string(),
            "uberall API error: HTTP 401, status BAD_ACCESS_TOKEN, errorCode UNKNOWN: token expired"
        );
        assert_eq!(
            unexpected(502).to_string(),
            "unexpected response from uberall: HTTP 502, content-type text/html; \
             body starts with \"<html>\""
        );
        assert!(Error::SessionEnded.is_session_ended());
        assert_eq!(Error::SessionEnded.http_status(), None);
    }

    #[test]
    fn error_is_small_send_sync_static() {
        fn assert_traits<T: Send + Sync + 'static + std::error::Error + Clone>() {}
        assert_traits::<Error>();
        assert!(std::mem::size_of::<Error>() <= 32);
    }
}
