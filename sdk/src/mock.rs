//! An embedded mock of the uberall API for tests: real HTTP on `127.0.0.1`, random port.
//!
//! Enabled by the `test-util` feature. The mock behaves like the API for the operations the
//! SDK covers: it checks the `X-API-KEY` it expects, accepts tokens it issued (`Bearer <token>`
//! or bare), and invalidates a token on `POST /api/users/logout`. On top of that it can be
//! scripted: each [`MockResponse`] queued with [`MockServer::enqueue`] answers one request,
//! in order, with any status, headers, body and content type, after a delay, or with a fault
//! (dropped connection, lost response, truncated body). Every request is recorded with its
//! headers and body.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use uberall_sdk::{RetryConfig, Status, mock::{MockResponse, MockServer}};
//!
//! let mock = MockServer::start().await?;
//! let client = mock.client_builder().retry(RetryConfig::disabled()).build()?;
//!
//! // Script one answer, then let the mock behave like the API again.
//! mock.enqueue(MockResponse::api_error(409, Status::ResourceLocked, None, "busy"));
//! let session = client.session(mock.issue_token());
//! assert_eq!(session.logout().await.unwrap_err().status(), Some(&Status::ResourceLocked));
//! assert!(session.logout().await.is_ok());
//!
//! let requests = mock.requests();
//! assert_eq!(requests.len(), 2);
//! assert_eq!(requests[1].header("x-api-key"), mock.api_key());
//! # Ok(()) }
//! ```

use std::{
    collections::{HashSet, VecDeque},
    fmt, io,
    net::{Ipv4Addr, SocketAddr},
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    body::Body,
    extract::State,
    http::{
        HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode,
        header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE},
    },
    response::IntoResponse,
    routing::post,
};
use bytes::Bytes;
use hyper::{body::Incoming, service::Service as _};
use hyper_util::{rt::TokioIo, service::TowerToHyperService};
use serde_json::{Value, json};
use tokio::{net::TcpListener, task::JoinSet};

use crate::{Client, ClientBuilder, Error, ErrorCode, Status};

const X_API_KEY: &str = "x-api-key";
/// Request bodies larger than this are recorded empty (the API's requests have none).
const MAX_RECORDED_BODY: usize = 1024 * 1024;

/// A running mock of the uberall API. Dropping it stops the server and closes its connections.
pub struct MockServer {
    state: Arc<MockState>,
    addr: SocketAddr,
    base_url: String,
    server: tokio::task::JoinHandle<()>,
}

/// Configures a [`MockServer`] before it starts.
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    api_key: Option<String>,
    redirect_url: Option<String>,
    request_log_capacity: usize,
}

/// One scripted answer: what the mock does with the next request.
#[derive(Debug, Clone)]
#[must_use]
pub struct MockResponse {
    body: ScriptedBody,
    headers: Vec<(String, String)>,
    delay: Duration,
    fault: Option<Fault>,
}

#[derive(Debug, Clone)]
enum ScriptedBody {
    /// The mock's normal behaviour (the API emulation).
    Passthrough,
    Custom {
        status: StatusCode,
        content_type: Option<String>,
        body: Bytes,
    },
}

/// A failure injected at the connection level.
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

/// A request the mock received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
    connection: u64,
    received_at: Instant,
}

struct MockState {
    api_key: Option<String>,
    redirect_url: Option<String>,
    request_log_capacity: usize,
    request_count: AtomicUsize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tokens: HashSet<String>,
    script: VecDeque<MockResponse>,
    log: VecDeque<RecordedRequest>,
}

impl MockState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; recover rather than cascade a test failure.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            api_key: Some(format!("mock-api-key-{:016x}", fastrand::u64(..))),
            redirect_url: Some("http://example.com/redirect".to_owned()),
            request_log_capacity: 10_000,
        }
    }
}

impl MockServerBuilder {
    /// The `X-API-KEY` the mock requires (default: a random `mock-api-key-…`).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Accept requests without `X-API-KEY` (any key sent is then ignored).
    pub fn no_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// `response.redirectUrl` of a successful logout (default `http://example.com/redirect`).
    pub fn redirect_url(mut self, redirect_url: impl Into<String>) -> Self {
        self.redirect_url = Some(redirect_url.into());
        self
    }

    /// Leave `response.redirectUrl` out of a successful logout.
    pub fn no_redirect_url(mut self) -> Self {
        self.redirect_url = None;
        self
    }

    /// How many of the most recent requests [`MockServer::requests`] keeps (default 10 000).
    /// [`MockServer::request_count`] counts all of them regardless.
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Binds `127.0.0.1` on a random port and starts serving on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// The I/O error if binding the port fails.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime (like `tokio::spawn`).
    pub async fn start(self) -> io::Result<MockServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState {
            api_key: self.api_key,
            redirect_url: self.redirect_url,
            request_log_capacity: self.request_log_capacity,
            request_count: AtomicUsize::new(0),
            inner: Mutex::default(),
        });
        let router = Router::new()
            .route("/api/users/logout", post(logout))
            .fallback(not_found)
            .method_not_allowed_fallback(method_not_allowed)
            .with_state(Arc::clone(&state));
        let server = tokio::spawn(serve(listener, Arc::clone(&state), router));
        Ok(MockServer {
            state,
            addr,
            base_url: format!("http://{addr}/api"),
            server,
        })
    }
}

impl MockServer {
    /// Starts a mock with the default configuration (see [`MockServerBuilder`]).
    ///
    /// # Errors
    ///
    /// The I/O error if binding the port fails.
    pub async fn start() -> io::Result<Self> {
        Self::builder().start().await
    }

    /// Configure a mock before starting it.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL to give the client, `http://127.0.0.1:<port>/api`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the mock listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `X-API-KEY` the mock requires, if any.
    pub fn api_key(&self) -> Option<&str> {
        self.state.api_key.as_deref()
    }

    /// A client builder pointed at this mock, with its API key. Everything else is the
    /// production default (including retries), so adjust what your test needs.
    pub fn client_builder(&self) -> ClientBuilder {
        let builder = Client::builder().base_url(self.base_url.as_str());
        match &self.state.api_key {
            Some(key) => builder.api_key(key.as_str()),
            None => builder,
        }
    }

    /// `self.client_builder().build()`.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`] (only if the TLS backend fails to initialise).
    pub fn client(&self) -> Result<Client, Error> {
        self.client_builder().build()
    }

    /// Issues a new valid access token.
    pub fn issue_token(&self) -> String {
        let token = format!(
            "mock-token-{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        self.add_token(token.clone());
        token
    }

    /// Makes `token` valid.
    pub fn add_token(&self, token: impl Into<String>) {
        self.state.lock().tokens.insert(token.into());
    }

    /// Invalidates `token` (as a logout would); `true` if it was valid.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.state.lock().tokens.remove(token)
    }

    /// Whether `token` is currently valid.
    pub fn is_token_live(&self, token: &str) -> bool {
        self.state.lock().tokens.contains(token)
    }

    /// Queues a scripted answer; queued answers are used one per request, in order, before
    /// the mock falls back to its normal behaviour.
    pub fn enqueue(&self, response: MockResponse) {
        self.state.lock().script.push_back(response);
    }

    /// Scripted answers not used yet.
    pub fn pending_responses(&self) -> usize {
        self.state.lock().script.len()
    }

    /// Drops every scripted answer not used yet.
    pub fn clear_responses(&self) {
        self.state.lock().script.clear();
    }

    /// The recorded requests, oldest first (the most recent ones, up to the log capacity).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().log.iter().cloned().collect()
    }

    /// How many requests arrived since the start (or the last [`clear_requests`](Self::clear_requests)),
    /// including those answered with a fault.
    pub fn request_count(&self) -> usize {
        self.state.request_count.load(Ordering::SeqCst)
    }

    /// Forgets the recorded requests and resets the count.
    pub fn clear_requests(&self) {
        let mut inner = self.state.lock();
        inner.log.clear();
        self.state.request_count.store(0, Ordering::SeqCst);
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("request_count", &self.request_count())
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        self.server.abort();
    }
}

impl MockResponse {
    /// The mock's normal behaviour for this request; useful with [`with_delay`](Self::with_delay),
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

    /// An `application/json` answer.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::new(status)
            .with_content_type("application/json")
            .with_body(body.to_string())
    }

    /// The documented successful logout: `200 {"status":"SUCCESS","response":{"success":true,
    /// "redirectUrl":"http://example.com/redirect"}}`. It does not invalidate a token; use
    /// [`passthrough`](Self::passthrough) for that.
    pub fn logout_success() -> Self {
        Self::json(
            200,
            &json!({
                "status": "SUCCESS",
                "response": {"success": true, "redirectUrl": "http://example.com/redirect"}
            }),
        )
    }

    /// The documented error envelope: `{"status", "message", "errorCode"?, "response": {}}`.
    pub fn api_error(
        http_status: u16,
        status: Status,
        error_code: Option<ErrorCode>,
        message: impl Into<String>,
    ) -> Self {
        let mut body =
            json!({"status": status.as_str(), "message": message.into(), "response": {}});
        if let Some(code) = error_code {
            body["errorCode"] = Value::from(code.as_str());
        }
        Self::json(http_status, &body)
    }

    /// Replaces the body (raw bytes, sent as is). No effect on a passthrough answer.
    pub fn with_body(mut self, bytes: impl Into<Bytes>) -> Self {
        if let ScriptedBody::Custom { body, .. } = &mut self.body {
            *body = bytes.into();
        }
        self
    }

    /// Sets the `Content-Type`. No effect on a passthrough answer.
    pub fn with_content_type(mut self, value: impl Into<String>) -> Self {
        if let ScriptedBody::Custom { content_type, .. } = &mut self.body {
            *content_type = Some(value.into());
        }
        self
    }

    /// Sends no `Content-Type` at all. No effect on a passthrough answer.
    pub fn without_content_type(mut self) -> Self {
        if let ScriptedBody::Custom { content_type, .. } = &mut self.body {
            *content_type = None;
        }
        self
    }

    /// Adds a header (e.g. `Retry-After`, `Location`). Invalid names or values are skipped.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits this long before answering (or before the fault).
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

impl RecordedRequest {
    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Path and query, e.g. `/api/users/logout`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// All headers. `Authorization` and `X-API-KEY` are marked sensitive, so this struct's
    /// `Debug` does not print them.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Which connection (numbered from 1 in accept order) carried the request.
    pub fn connection(&self) -> u64 {
        self.connection
    }

    /// When the request arrived (its headers and body read), e.g. to check retry spacing.
    pub fn received_at(&self) -> Instant {
        self.received_at
    }
}

/// Error returned to hyper to make it close a connection without answering.
#[derive(Debug)]
struct InjectedFault;

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fault injected by the uberall mock")
    }
}

impl std::error::Error for InjectedFault {}

async fn serve(listener: TcpListener, state: Arc<MockState>, router: Router) {
    let mut connections = JoinSet::new();
    let mut connection = 0u64;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        connection += 1;
        let id = connection;
        let state = Arc::clone(&state);
        let router = router.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                handle(Arc::clone(&state), router.clone(), id, request)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

async fn handle(
    state: Arc<MockState>,
    router: Router,
    connection: u64,
    request: Request<Incoming>,
) -> Result<Response<Body>, InjectedFault> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(Body::new(body), MAX_RECORDED_BODY)
        .await
        .unwrap_or_default();
    let scripted = {
        let mut recorded = parts.headers.clone();
        for name in [AUTHORIZATION.as_str(), X_API_KEY] {
            if let Some(value) = recorded.get_mut(name) {
                value.set_sensitive(true);
            }
        }
        let mut inner = state.lock();
        if state.request_log_capacity > 0 {
            if inner.log.len() >= state.request_log_capacity {
                inner.log.pop_front();
            }
            inner.log.push_back(RecordedRequest {
                method: parts.method.clone(),
                path: parts
                    .uri
                    .path_and_query()
                    .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
                headers: recorded,
                body: body.clone(),
                connection,
                received_at: Instant::now(),
            });
        }
        state.request_count.fetch_add(1, Ordering::SeqCst);
        inner.script.pop_front()
    };
    let Some(scripted) = scripted else {
        return Ok(route(&router, Request::from_parts(parts, Body::from(body))).await);
    };
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let request = Request::from_parts(parts, Body::from(body));
    let mut response = match (&scripted.fault, scripted.body) {
        (Some(Fault::CloseConnection), _) => return Err(InjectedFault),
        (Some(Fault::ProcessThenCloseConnection), _) => {
            let _ = route(&router, request).await;
            return Err(InjectedFault);
        }
        (_, ScriptedBody::Passthrough) => route(&router, request).await,
        (
            _,
            ScriptedBody::Custom {
                status,
                content_type,
                body,
            },
        ) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            if let Some(value) = content_type.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            response
        }
    };
    for (name, value) in &scripted.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    if scripted.fault == Some(Fault::TruncateBody) {
        response = truncate(response).await;
    }
    Ok(response)
}

async fn route(router: &Router, request: Request<Body>) -> Response<Body> {
    match TowerToHyperService::new(router.clone()).call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Keeps status, headers and the full `Content-Length`, but sends half the body then fails it,
/// which makes hyper abort the connection.
async fn truncate(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
    let half = full.slice(..full.len() / 2);
    let chunks: [Result<Bytes, io::Error>; 2] = [
        Ok(half),
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            InjectedFault,
        )),
    ];
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}

fn envelope(http: StatusCode, status: Status, message: &str) -> axum::response::Response {
    (
        http,
        Json(json!({"status": status.as_str(), "message": message, "response": {}})),
    )
        .into_response()
}

async fn logout(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
) -> axum::response::Response {
    if let Some(expected) = &state.api_key {
        match headers.get(X_API_KEY) {
            None => {
                return envelope(
                    StatusCode::UNAUTHORIZED,
                    Status::NotAuthorized,
                    "X-API-KEY header missing",
                );
            }
            Some(sent) if sent.as_bytes() != expected.as_bytes() => {
                return envelope(
                    StatusCode::UNAUTHORIZED,
                    Status::BadPrivateKey,
                    "invalid API key",
                );
            }
            Some(_) => {}
        }
    }
    let Some(authorization) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return envelope(
            StatusCode::UNAUTHORIZED,
            Status::NotAuthorized,
            "Authorization header missing",
        );
    };
    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization)
        .trim();
    if !state.lock().tokens.remove(token) {
        return envelope(
            StatusCode::UNAUTHORIZED,
            Status::BadAccessToken,
            "access token invalid or expired",
        );
    }
    let mut response = json!({"status": "SUCCESS", "response": {"success": true}});
    if let Some(url) = &state.redirect_url {
        response["response"]["redirectUrl"] = Value::from(url.as_str());
    }
    Json(response).into_response()
}

async fn not_found() -> axum::response::Response {
    envelope(
        StatusCode::NOT_FOUND,
        Status::NotFound,
        "no such endpoint in the mock",
    )
}

async fn method_not_allowed() -> axum::response::Response {
    envelope(
        StatusCode::METHOD_NOT_ALLOWED,
        Status::Unrecognized("METHOD_NOT_ALLOWED".to_owned()),
        "method not allowed",
    )
}
