//! An embedded mock of the uberall API for tests: real HTTP on `127.0.0.1`, random port.
//!
//! Enabled by the `test-util` feature. The mock serves the spec: its routes are the
//! generated operations table, `uberall_client::operations::ALL` (method and path template;
//! a parameter such as `{id}` matches any one segment), under the base path `/api`. Each
//! request that matches an operation is answered, in this order, by
//!
//! 1. the next answer scripted for that operation with [`MockServer::on`],
//! 2. else the next answer scripted for any operation with [`MockServer::enqueue`],
//! 3. else the mock's own answer: it checks the credentials the operation's security
//!    requirement asks for (`Operation::security`), then
//!    * `post_users_login` issues a token to a user added with [`MockServer::add_user`];
//!    * `post_users_logout` invalidates the token it was sent, if any;
//!    * every operation (logout included) answers its documented example
//!      (`Operation::example`) with its status, or, when the docs give none, a 501 error
//!      envelope naming the operation id.
//!
//! A [`MockResponse`] sets any status, headers, body and content type, a delay, or a [`Fault`]
//! (dropped connection, lost response, truncated body); [`MockResponse::passthrough`] keeps
//! the mock's own answer and adds a delay, headers or a fault to it. Every request is
//! recorded with its operation id, headers and body ([`MockServer::requests`]).
//!
//! # The mock's own answers, and what they assume
//!
//! The API's docs do not say how it refuses credentials or unknown routes; the mock assumes
//! the following, in this order. Every body is an `ErrorEnvelope` (`status`, `message`,
//! `response: {}`), built from the generated types.
//!
//! | request | HTTP | `status` |
//! |---|---|---|
//! | path matches no operation (checked before credentials) | 404 | `NOT_FOUND` |
//! | path matches, method does not (with `Allow`) | 405 | `METHOD_NOT_ALLOWED` ([`Status::Unrecognized`] unless the docs list it) |
//! | `X-API-KEY` sent, not the mock's | 401 | `BAD_PRIVATE_KEY` |
//! | `Authorization` sent, token (`Bearer <token>` or bare) not issued, expired, revoked or logged out | 401 | `BAD_ACCESS_TOKEN` |
//! | no alternative of the operation's security met by what was sent | 401 | `NOT_AUTHORIZED` |
//! | login: no user with that email / id, or a wrong password | 401 | `NOT_AUTHORIZED` |
//! | login: `private_key` not the mock's API key | 401 | `BAD_PRIVATE_KEY` |
//! | login: neither `email` nor `userId` | 400 | `MISSING_PARAMETER` |
//! | operation without a documented example | 501 | `SERVER_ERROR` |
//!
//! An operation without security is answered whatever credentials came with it. Every
//! credential sent is checked, needed or not: a dead token is refused even where the API key
//! alone would do, as a server reading every credential header would. A mock built with
//! [`no_api_key`](MockServerBuilder::no_api_key) takes the `X-API-KEY` scheme as met without
//! the header. A scripted answer other than [`passthrough`](MockResponse::passthrough) is
//! sent as scripted, whatever the credentials: scripting is how a test fakes what the server
//! says.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use uberall_sdk::{RetryConfig, Status, api::operations, mock::{Fault, MockResponse, MockServer}};
//!
//! let mock = MockServer::start().await?;
//! let client = mock.client_builder().retry(RetryConfig::disabled()).build()?;
//!
//! // Script one operation by its id, then let the mock behave like the API again.
//! mock.on(operations::POST_USERS_LOGOUT.id)
//!     .enqueue(MockResponse::api_error(409, Status::ResourceLocked, None, "busy"))
//!     .enqueue(MockResponse::passthrough().with_delay(Duration::from_millis(5)));
//! let session = client.session(mock.issue_token());
//! assert_eq!(session.logout().await.unwrap_err().status(), Some(&Status::ResourceLocked));
//! assert!(session.logout().await.is_ok());
//!
//! // `enqueue` scripts the next request of any operation.
//! mock.enqueue(MockResponse::passthrough().with_fault(Fault::CloseConnection));
//! assert!(client.session(mock.issue_token()).logout().await.is_err());
//!
//! let requests = mock.requests();
//! assert_eq!(requests.len(), 3);
//! assert_eq!(requests[1].operation_id(), Some("post_users_logout"));
//! assert_eq!(requests[1].header("x-api-key"), mock.api_key());
//! # Ok(()) }
//! ```

mod api;
mod auth;
mod routes;
mod script;
mod server;

use std::{
    collections::VecDeque,
    fmt, io,
    net::{Ipv4Addr, SocketAddr},
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use tokio::net::TcpListener;
use uberall_client::operations::{self, Operation};

pub use script::{Fault, MockResponse};

#[cfg(doc)]
use crate::Status;
use crate::{Client, ClientBuilder, Error};
use auth::Accounts;
use routes::{BASE_PATH, Routes};
use script::Script;

/// A running mock of the uberall API. Dropping it stops the server and closes its connections.
///
/// The [module example](crate::mock) scripts answers; this one manages credentials and the
/// request log:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use uberall_sdk::mock::{MockResponse, MockServer};
///
/// let mock = MockServer::builder().api_key("test-key").start().await?;
/// assert_eq!(mock.api_key(), Some("test-key"));
/// assert_eq!(mock.base_url(), format!("http://{}/api", mock.addr()));
/// let client = mock.client_builder().build()?; // base URL and API key set
///
/// let token = mock.issue_token();
/// mock.add_token("a-token-of-my-choosing");
/// assert!(mock.revoke_token("a-token-of-my-choosing"));
/// assert!(mock.is_token_live(&token));
/// assert_eq!(mock.expire_tokens(), 1); // as time would: the session's calls now fail
/// assert!(client.session(token).logout().await.unwrap_err().is_auth());
///
/// mock.on("post_users_logout").enqueue(MockResponse::logout_success());
/// assert_eq!(mock.pending_responses(), 1);
/// mock.clear_responses();
/// assert_eq!(mock.pending_responses(), 0);
///
/// assert_eq!((mock.requests().len(), mock.request_count()), (1, 1));
/// mock.clear_requests();
/// assert_eq!(mock.request_count(), 0);
///
/// // Without an API key, the mock takes `X-API-KEY` as met without the header.
/// let open = MockServer::builder().no_api_key().start().await?;
/// assert_eq!(open.api_key(), None);
/// # Ok(()) }
/// ```
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
    request_log_capacity: usize,
    operations: &'static [Operation],
}

/// The scripted answers of one operation, from [`MockServer::on`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use uberall_sdk::mock::{MockResponse, MockServer};
///
/// let mock = MockServer::start().await?;
/// let logout = mock.on("post_users_logout");
/// assert_eq!(logout.operation().id, "post_users_logout");
/// logout.enqueue(MockResponse::logout_success()).enqueue(MockResponse::new(503));
/// assert_eq!(logout.pending(), 2);
///
/// mock.client()?.session(mock.issue_token()).logout().await?; // takes the first answer
/// assert_eq!(logout.requests().len(), 1);
/// logout.clear(); // the 503 is never sent
/// assert_eq!(logout.mock().pending_responses(), 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct OperationScript<'a> {
    mock: &'a MockServer,
    operation: &'static Operation,
}

/// A request the mock received, from [`MockServer::requests`] or [`OperationScript::requests`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use uberall_sdk::mock::MockServer;
///
/// let mock = MockServer::start().await?;
/// mock.client()?.session(mock.issue_token()).logout().await?;
///
/// let request = &mock.requests()[0];
/// assert_eq!(request.operation_id(), Some("post_users_logout"));
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.path(), "/api/users/logout");
/// assert!(request.header("authorization").is_some_and(|v| v.starts_with("Bearer ")));
/// assert_eq!(request.headers().get("x-api-key").map(|v| v.as_bytes()), mock.api_key().map(str::as_bytes));
/// println!("{} body bytes on connection {}, {:?} ago", request.body().len(), request.connection(), request.received_at().elapsed());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    operation_id: Option<&'static str>,
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
    connection: u64,
    received_at: Instant,
}

struct MockState {
    api_key: Option<String>,
    request_log_capacity: usize,
    routes: Routes,
    request_count: AtomicUsize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    accounts: Accounts,
    script: Script,
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
            request_log_capacity: 10_000,
            operations: operations::ALL,
        }
    }
}

impl MockServerBuilder {
    /// The `X-API-KEY` the mock requires (default: a random `mock-api-key-…`). See the [`MockServer`] example.
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Accept requests without `X-API-KEY` (any key sent is then ignored). See the [`MockServer`] example.
    pub fn no_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// How many of the most recent requests [`MockServer::requests`] keeps (default 10 000).
    /// [`MockServer::request_count`] counts all of them regardless.
    pub fn request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Serves this operations table instead of the spec's (`uberall_client::operations::ALL`),
    /// e.g. to try routes the spec does not have yet. Each operation's own answer is as
    /// described in the [module docs](self), by its id, method, path and example.
    pub fn operations(mut self, operations: &'static [Operation]) -> Self {
        self.operations = operations;
        self
    }

    /// Binds `127.0.0.1` on a random port and starts serving on the current Tokio runtime.
    /// See the [`MockServer`] example.
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
            request_log_capacity: self.request_log_capacity,
            routes: Routes::new(self.operations),
            request_count: AtomicUsize::new(0),
            inner: Mutex::default(),
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&state)));
        Ok(MockServer {
            state,
            addr,
            base_url: format!("http://{addr}{BASE_PATH}"),
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

    /// Configure a mock before starting it. See the [`MockServer`] example.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL to give the client, `http://127.0.0.1:<port>/api`. See the [`MockServer`] example.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address the mock listens on. See the [`MockServer`] example.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `X-API-KEY` the mock requires, if any. See the [`MockServer`] example.
    pub fn api_key(&self) -> Option<&str> {
        self.state.api_key.as_deref()
    }

    /// A client builder pointed at this mock, with its API key. Everything else is the
    /// production default (including retries), so adjust what your test needs, as the
    /// [module example](crate::mock) does.
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

    /// Issues a new valid access token. See the [`MockServer`] example.
    pub fn issue_token(&self) -> String {
        let token = auth::new_token();
        self.add_token(token.clone());
        token
    }

    /// Makes `token` valid. See the [`MockServer`] example.
    pub fn add_token(&self, token: impl Into<String>) {
        self.state.lock().accounts.tokens.insert(token.into());
    }

    /// Invalidates `token` (as a logout would); `true` if it was valid. See the [`MockServer`] example.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.state.lock().accounts.tokens.remove(token)
    }

    /// Whether `token` is currently valid. See the [`MockServer`] example.
    pub fn is_token_live(&self, token: &str) -> bool {
        self.state.lock().accounts.tokens.contains(token)
    }

    /// Expires every valid token, as time would: calls with them are then answered
    /// `BAD_ACCESS_TOKEN`, which makes a session opened by login renew itself. Returns how
    /// many there were. See the [`MockServer`] example.
    pub fn expire_tokens(&self) -> usize {
        let mut inner = self.state.lock();
        let expired = inner.accounts.tokens.len();
        inner.accounts.tokens.clear();
        expired
    }

    /// Adds a user `POST /users/login` accepts, returning its user id (1, 2, ... in the order
    /// added). It logs in with `[email, password]`, and with `[email, private_key]` or
    /// `[userId, private_key]` where the private key is the mock's [API key](Self::api_key).
    pub fn add_user(&self, email: impl Into<String>, password: impl Into<String>) -> i64 {
        let mut inner = self.state.lock();
        let users = &mut inner.accounts.users;
        let id = i64::try_from(users.len()).unwrap_or(i64::MAX - 1) + 1;
        users.push(auth::User {
            id,
            email: email.into(),
            password: password.into(),
        });
        id
    }

    /// Queues an answer for the next request of any operation; queued answers are used one
    /// per request, in order, after those scripted for the request's operation with
    /// [`on`](Self::on) and before the mock's own answer. A request that matches no
    /// operation takes none.
    pub fn enqueue(&self, response: MockResponse) {
        self.state.lock().script.push_shared(response);
    }

    /// The scripted answers of the operation with this operation id, e.g.
    /// `mock.on("post_users_logout").enqueue(response)` or
    /// `mock.on(api::operations::POST_USERS_LOGOUT.id)`: see the [module example](crate::mock)
    /// and [`OperationScript`].
    ///
    /// # Panics
    ///
    /// If the mock's operations table has no operation `operation_id`: a script for it could
    /// never be used, so a typo fails the test here rather than silently later.
    #[track_caller]
    #[must_use = "queue an answer with `enqueue`"]
    pub fn on(&self, operation_id: &str) -> OperationScript<'_> {
        match self.state.routes.operation(operation_id) {
            Some(operation) => OperationScript {
                mock: self,
                operation,
            },
            None => panic!("the uberall mock serves no operation with id `{operation_id}`"),
        }
    }

    /// Scripted answers not used yet, for all operations. See the [`MockServer`] example.
    pub fn pending_responses(&self) -> usize {
        self.state.lock().script.pending()
    }

    /// Drops every scripted answer not used yet, for all operations. See the [`MockServer`] example.
    pub fn clear_responses(&self) {
        self.state.lock().script.clear();
    }

    /// The recorded requests, oldest first (the most recent ones, up to the log capacity).
    /// See [`RecordedRequest`] for an example.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().log.iter().cloned().collect()
    }

    /// How many requests arrived since the start (or the last [`clear_requests`](Self::clear_requests)),
    /// including those answered with a fault.
    pub fn request_count(&self) -> usize {
        self.state.request_count.load(Ordering::SeqCst)
    }

    /// Forgets the recorded requests and resets the count. See the [`MockServer`] example.
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

impl<'a> OperationScript<'a> {
    /// The operation, as the mock's table has it. See the [`OperationScript`] example.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Queues an answer for the next request of this operation; answers are used one per
    /// request, in order, before any queued with [`MockServer::enqueue`]. Returns `self`, to
    /// chain several.
    pub fn enqueue(self, response: MockResponse) -> Self {
        self.mock
            .state
            .lock()
            .script
            .push_for(self.operation.id, response);
        self
    }

    /// Answers queued for this operation and not used yet. See the [`OperationScript`] example.
    pub fn pending(&self) -> usize {
        self.mock.state.lock().script.pending_for(self.operation.id)
    }

    /// Drops the answers queued for this operation. See the [`OperationScript`] example.
    pub fn clear(&self) {
        self.mock.state.lock().script.clear_for(self.operation.id);
    }

    /// The recorded requests of this operation, oldest first. See the [`OperationScript`] example.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        let inner = self.mock.state.lock();
        inner
            .log
            .iter()
            .filter(|request| request.operation_id == Some(self.operation.id))
            .cloned()
            .collect()
    }

    /// The mock this script belongs to. See the [`OperationScript`] example.
    pub fn mock(&self) -> &'a MockServer {
        self.mock
    }
}

impl fmt::Debug for OperationScript<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperationScript")
            .field("operation", &self.operation.id)
            .field("pending", &self.pending())
            .finish()
    }
}

impl RecordedRequest {
    /// The id of the operation the request matched, e.g. `post_users_logout`; `None` for a
    /// request the mock answered 404 or 405.
    /// See the [`RecordedRequest`] example.
    pub fn operation_id(&self) -> Option<&'static str> {
        self.operation_id
    }

    /// The HTTP method.
    /// See the [`RecordedRequest`] example.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Path and query, e.g. `/api/users/logout`.
    /// See the [`RecordedRequest`] example.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// All headers. `Authorization` and `X-API-KEY` are marked sensitive, so this struct's
    /// `Debug` does not print them.
    /// See the [`RecordedRequest`] example.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value, if present and visible ASCII.
    /// See the [`RecordedRequest`] example.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request body.
    /// See the [`RecordedRequest`] example.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Which connection (numbered from 1 in accept order) carried the request.
    /// See the [`RecordedRequest`] example.
    pub fn connection(&self) -> u64 {
        self.connection
    }

    /// When the request arrived (its headers and body read), e.g. to check retry spacing.
    /// See the [`RecordedRequest`] example.
    pub fn received_at(&self) -> Instant {
        self.received_at
    }
}
