//! Scripted answers: what a test makes the mock say, and the queues that hold them.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use axum::http::StatusCode;
use bytes::Bytes;
use serde::Serialize;
use uberall_client::{operations, types::ErrorEnvelope};

use super::api;
use crate::{ErrorCode, Status};

/// One scripted answer: what the mock does with one request.
///
/// Queue it for the next request of any operation with [`MockServer::enqueue`], or for one
/// operation with [`MockServer::on`]. Built from a status and body ([`new`](Self::new),
/// [`json`](Self::json), [`api_error`](Self::api_error), [`logout_success`](Self::logout_success))
/// or as [`passthrough`](Self::passthrough) (the mock's own answer), then adjusted with
/// headers, a delay or a [`Fault`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use uberall_sdk::{Error, RetryConfig, Status, mock::{MockResponse, MockServer}};
///
/// let mock = MockServer::start().await?;
/// let client = mock.client_builder().retry(RetryConfig::disabled()).build()?;
/// let logout = || async { client.session(mock.issue_token()).logout().await };
///
/// let success = serde_json::json!({ "status": "SUCCESS", "response": { "success": true } });
/// mock.enqueue(MockResponse::json(200, &success).with_delay(Duration::from_millis(5)));
/// assert!(logout().await.is_ok());
///
/// mock.enqueue(MockResponse::new(200).with_body("<html>maintenance</html>").with_content_type("text/html"));
/// assert!(matches!(logout().await, Err(Error::Decode(_))));
///
/// mock.enqueue(
///     MockResponse::api_error(429, Status::QuotaLimitExceed, None, "slow down")
///         .with_header("Retry-After", "120"),
/// );
/// assert_eq!(logout().await.unwrap_err().retry_after(), Some(Duration::from_secs(120)));
///
/// mock.enqueue(MockResponse::new(502).with_body("bad gateway").without_content_type());
/// assert!(matches!(logout().await, Err(Error::UnexpectedStatus(_))));
/// # Ok(()) }
/// ```
///
/// [`MockServer::enqueue`]: super::MockServer::enqueue
/// [`MockServer::on`]: super::MockServer::on
#[derive(Debug, Clone)]
#[must_use]
pub struct MockResponse {
    pub(super) body: ScriptedBody,
    pub(super) headers: Vec<(String, String)>,
    pub(super) delay: Duration,
    pub(super) fault: Option<Fault>,
}

#[derive(Debug, Clone)]
pub(super) enum ScriptedBody {
    /// The mock's own answer (see the module docs).
    Passthrough,
    Custom {
        status: StatusCode,
        content_type: Option<String>,
        body: Bytes,
    },
}

/// A failure injected at the connection level, with [`MockResponse::with_fault`] (used in the
/// [module example](super)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Close the connection without answering; the request is not processed.
    CloseConnection,
    /// Process the request as the API would (a logout invalidates the token), then close the
    /// connection without answering: a response lost on the way back.
    ProcessThenCloseConnection,
    /// Send the status, headers and `Content-Length` of the response, then half of its body,
    /// then close the connection.
    TruncateBody,
}

impl MockResponse {
    /// The mock's own answer for this request (credentials checked, then the operation's
    /// behaviour, see the module docs); useful with [`with_delay`](Self::with_delay),
    /// [`with_header`](Self::with_header) or [`with_fault`](Self::with_fault).
    pub fn passthrough() -> Self {
        Self {
            body: ScriptedBody::Passthrough,
            headers: Vec::new(),
            delay: Duration::ZERO,
            fault: None,
        }
    }

    /// An answer with this HTTP status (an invalid code becomes 500), no body and no
    /// content type.
    /// See the [`MockResponse`] example.
    pub fn new(status: u16) -> Self {
        Self {
            body: ScriptedBody::Custom {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                content_type: None,
                body: Bytes::new(),
            },
            ..Self::passthrough()
        }
    }

    /// An `application/json` answer with `body` serialised: a `serde_json::Value` or any
    /// generated type of `uberall_client::types`. A value that fails to serialise (a map
    /// with non-string keys, say) becomes a 500 error envelope saying why.
    /// See the [`MockResponse`] example.
    pub fn json(status: u16, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => Self::new(status)
                .with_content_type("application/json")
                .with_body(bytes),
            Err(err) => Self::api_error(
                500,
                Status::ServerError,
                None,
                format!("the mock could not serialise the scripted body: {err}"),
            ),
        }
    }

    /// The documented successful logout, the operations table's example (the mock's own
    /// logout answers the same): `200 {"status":"SUCCESS","response":{"success":true,
    /// "redirectUrl":"http://example.com/redirect"}}`. It does not invalidate a token; use
    /// [`passthrough`](Self::passthrough) for that.
    pub fn logout_success() -> Self {
        match operations::POST_USERS_LOGOUT.example {
            Some((status, body)) => Self::new(status)
                .with_content_type("application/json")
                .with_body(body),
            None => Self::api_error(
                500,
                Status::ServerError,
                None,
                "the spec gives no example of a successful logout",
            ),
        }
    }

    /// The documented error envelope: `{"status", "message", "errorCode"?, "response": {}}`.
    /// See the [`MockResponse`] example.
    pub fn api_error(
        http_status: u16,
        status: Status,
        error_code: Option<ErrorCode>,
        message: impl Into<String>,
    ) -> Self {
        let envelope: Result<ErrorEnvelope, _> = api::error_envelope(status, &message.into())
            .error_code(error_code)
            .try_into();
        Self::from_envelope(http_status, envelope)
    }

    fn from_envelope<T: Serialize, E: std::fmt::Display>(
        status: u16,
        envelope: Result<T, E>,
    ) -> Self {
        let (status, content_type, body) = api::envelope_parts(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            envelope,
        );
        Self::new(status.as_u16())
            .with_content_type(content_type)
            .with_body(body)
    }

    /// Replaces the body (raw bytes, sent as is). No effect on a passthrough answer.
    /// See the [`MockResponse`] example.
    pub fn with_body(mut self, bytes: impl Into<Bytes>) -> Self {
        if let ScriptedBody::Custom { body, .. } = &mut self.body {
            *body = bytes.into();
        }
        self
    }

    /// Sets the `Content-Type`. No effect on a passthrough answer.
    /// See the [`MockResponse`] example.
    pub fn with_content_type(mut self, value: impl Into<String>) -> Self {
        if let ScriptedBody::Custom { content_type, .. } = &mut self.body {
            *content_type = Some(value.into());
        }
        self
    }

    /// Sends no `Content-Type` at all. No effect on a passthrough answer.
    /// See the [`MockResponse`] example.
    pub fn without_content_type(mut self) -> Self {
        if let ScriptedBody::Custom { content_type, .. } = &mut self.body {
            *content_type = None;
        }
        self
    }

    /// Adds a header (e.g. `Retry-After`, `Location`). Invalid names or values are skipped.
    /// See the [`MockResponse`] example.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering (or before the fault).
    /// See the [`MockResponse`] example.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Answers with a connection-level fault instead of (or, for
    /// [`Fault::TruncateBody`], part of) this response.
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }
}

/// The queued answers: one queue per operation id, and one shared by all operations.
#[derive(Debug, Default)]
pub(super) struct Script {
    shared: VecDeque<MockResponse>,
    by_operation: HashMap<&'static str, VecDeque<MockResponse>>,
}

impl Script {
    pub(super) fn push_shared(&mut self, response: MockResponse) {
        self.shared.push_back(response);
    }

    pub(super) fn push_for(&mut self, operation_id: &'static str, response: MockResponse) {
        self.by_operation
            .entry(operation_id)
            .or_default()
            .push_back(response);
    }

    /// The answer for the next request of `operation_id`: its own queue first, because a
    /// test that scripts one operation means that operation, then the shared queue.
    pub(super) fn next_for(&mut self, operation_id: &str) -> Option<MockResponse> {
        self.by_operation
            .get_mut(operation_id)
            .and_then(VecDeque::pop_front)
            .or_else(|| self.shared.pop_front())
    }

    pub(super) fn pending_for(&self, operation_id: &str) -> usize {
        self.by_operation.get(operation_id).map_or(0, VecDeque::len)
    }

    pub(super) fn pending(&self) -> usize {
        self.shared.len() + self.by_operation.values().map(VecDeque::len).sum::<usize>()
    }

    pub(super) fn clear_for(&mut self, operation_id: &str) {
        self.by_operation.remove(operation_id);
    }

    pub(super) fn clear(&mut self) {
        self.shared.clear();
        self.by_operation.clear();
    }
}
