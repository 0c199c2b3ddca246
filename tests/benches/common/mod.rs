//! What the benches share: the in-process server and the contenders.
//!
//! Every contender sends the same request (same method, path, headers and header values) to
//! the same server and decodes the same 200 body into a typed value; `check_same_headers`
//! proves it before anything is timed.

// Each bench binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::routing::post;
use serde::Deserialize;

/// An access token as long as a real one (64 visible ASCII characters).
pub const TOKEN: &str = "c2Vzc2lvbi10b2tlbi1mb3ItYmVuY2htYXJrcy0wMTIzNDU2Nzg5YWJjZGVmZ2hp";
/// A private API key.
pub const API_KEY: &str = "bench-private-api-key-0123456789";

/// The doc's 200 envelope for `POST /users/logout`: the generated operations table's example
/// (the doc's field examples), so the bench answers what the docs describe.
pub const OK_BODY: &str = match uberall_client::operations::POST_USERS_LOGOUT.example {
    Some((200, body)) => body,
    _ => panic!("the logout doc gives no 200 example"),
};

/// The running bench server.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its thread's id, to read its CPU time (`None` when it shares the caller's thread).
    pub tid: Option<u32>,
}

/// The bench server's app: `POST /users/logout` answers the 200 envelope, whatever the
/// headers (any token logs out, so every fresh session can).
///
/// With `capture`, the handler also records every request's headers (only for the check
/// that the contenders send the same request; the timed servers do no bookkeeping).
fn app(capture: Option<Arc<Mutex<Vec<HeaderMap>>>>) -> Router {
    match capture {
        None => Router::new().route(
            "/users/logout",
            post(|| async { ([(header::CONTENT_TYPE, "application/json")], OK_BODY) }),
        ),
        Some(seen) => Router::new().route(
            "/users/logout",
            post(move |headers: HeaderMap| async move {
                seen.lock().expect("capture lock").push(headers);
                ([(header::CONTENT_TYPE, "application/json")], OK_BODY)
            }),
        ),
    }
}

/// Starts the server on its own OS thread with a current-thread runtime: one core's worth of
/// server that never competes with the client for a tokio worker. It lives until the process
/// exits.
pub fn start_server_thread(capture: Option<Arc<Mutex<Vec<HeaderMap>>>>) -> Server {
    let app = app(capture);
    let (tx, rx) = std::sync::mpsc::channel::<(SocketAddr, Option<u32>)>();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1");
                tx.send((listener.local_addr().expect("local addr"), current_tid()))
                    .expect("report address");
                axum::serve(listener, app).await.expect("serve");
            });
        })
        .expect("spawn server thread");
    let (addr, tid) = rx.recv().expect("server address");
    Server {
        base: format!("http://{addr}"),
        tid,
    }
}

/// Starts the server as a task of `rt`, a current-thread runtime that the client uses too:
/// client and server then take turns on one thread, and a call's latency is their CPU time
/// plus the loopback, with no cross-core wake-up in between.
pub fn start_server_on(rt: &tokio::runtime::Runtime) -> Server {
    let base = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move { axum::serve(listener, app(None)).await });
        format!("http://{addr}")
    });
    Server { base, tid: None }
}

/// The `User-Agent` every contender sends (the SDK's own value).
pub const USER_AGENT: &str = uberall_sdk::USER_AGENT;
/// The SDK's defaults, applied to the other two contenders' `reqwest::Client`s as well so that
/// each request arms the same timers.
pub const CONNECT_TIMEOUT: Duration = uberall_sdk::DEFAULT_CONNECT_TIMEOUT;
/// Per-request limit (connect, send, read the whole response).
pub const TIMEOUT: Duration = uberall_sdk::DEFAULT_TIMEOUT;

/// The hand-written floor's typed view of the 200 envelope: what a careful user of plain
/// `reqwest` + `serde_json` would write (a closed enum with a catch-all, owned strings).
#[derive(Debug, Deserialize)]
pub struct RawEnvelope {
    pub status: RawStatus,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub warnings: Vec<serde_json::Value>,
    pub response: RawLogoutResponse,
}

/// `status` of the envelope; only `SUCCESS` matters to a logout.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub enum RawStatus {
    #[serde(rename = "SUCCESS")]
    Success,
    #[serde(other)]
    Other,
}

/// `response` of the envelope.
#[derive(Debug, Deserialize)]
pub struct RawLogoutResponse {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default, rename = "redirectUrl")]
    pub redirect_url: Option<String>,
}

/// Contender 1: hand-written `reqwest` + `serde_json`, one shared `reqwest::Client`.
#[derive(Clone)]
pub struct Raw {
    http: reqwest::Client,
    /// Parsed once, cloned per request (what the SDK does too; parsing a `&str` per call
    /// would make this floor slower than it needs to be).
    url: reqwest::Url,
}

impl Raw {
    pub fn new(base: &str) -> Self {
        let mut defaults = reqwest::header::HeaderMap::new();
        let mut key = HeaderValue::from_static(API_KEY);
        key.set_sensitive(true);
        defaults.insert("x-api-key", key);
        // The generated operations send the spec's version with every request; so does raw,
        // so that all three send the same request.
        defaults.insert(
            "api-version",
            HeaderValue::from_static(
                <uberall_client::Client as uberall_client::ClientInfo<_>>::api_version(),
            ),
        );
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(defaults)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .expect("raw reqwest client");
        Self {
            http,
            url: reqwest::Url::parse(&format!("{base}/users/logout")).expect("logout URL"),
        }
    }

    /// `POST /users/logout` with `token`, decoded; panics on anything but a successful logout.
    pub async fn logout(&self, token: &str) -> RawEnvelope {
        let response = self
            .http
            .post(self.url.clone())
            .bearer_auth(token)
            .header(header::ACCEPT, "application/json")
            .timeout(TIMEOUT)
            .send()
            .await
            .expect("raw: send");
        assert_eq!(response.status(), reqwest::StatusCode::OK, "raw: status");
        let envelope: RawEnvelope = response.json().await.expect("raw: decode");
        assert!(
            envelope.status == RawStatus::Success && envelope.response.success != Some(false),
            "raw: not a successful logout"
        );
        envelope
    }
}

/// Contender 2: the progenitor client from `generated/`. It has no notion of a session, so
/// the token and the API key are default headers of its `reqwest::Client`.
pub fn generated(base: &str) -> uberall_client::Client {
    let mut defaults = reqwest::header::HeaderMap::new();
    let mut bearer =
        HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("token is a header value");
    bearer.set_sensitive(true);
    defaults.insert(header::AUTHORIZATION, bearer);
    let mut key = HeaderValue::from_static(API_KEY);
    key.set_sensitive(true);
    defaults.insert("x-api-key", key);
    let http = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .default_headers(defaults)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .build()
        .expect("generated's reqwest client");
    uberall_client::Client::new_with_client(base, http, Default::default())
}

/// One call of contender 2, decoded into `PostUsersLogoutEnvelope`.
pub async fn generated_logout(
    client: &uberall_client::Client,
) -> uberall_client::types::PostUsersLogoutEnvelope {
    let envelope = client
        .post_users_logout()
        .send()
        .await
        .expect("generated: send")
        .into_inner();
    assert!(
        envelope.status == uberall_client::types::Status::Success
            && envelope.response.success != Some(false),
        "generated: not a successful logout"
    );
    envelope
}

/// Contender 3: the SDK's client with its defaults (retries on, tracing compiled in, no
/// subscriber installed), `X-API-KEY` set.
pub fn sdk(base: &str) -> uberall_sdk::Client {
    uberall_sdk::Client::builder()
        .base_url(base)
        .api_key(API_KEY)
        .build()
        .expect("SDK client")
}

/// One call of contender 3: a fresh session (logout ends it), logged out.
pub async fn sdk_logout(client: &uberall_sdk::Client) -> uberall_sdk::LogoutOutcome {
    client.session(TOKEN).logout().await.expect("sdk: logout")
}

/// The peer: raw's request and decoding, sent through `reqwest-middleware` with
/// `reqwest-retry` (exponential backoff, 3 retries) and `reqwest-tracing` (a span per
/// request), which is what a service not using the SDK would build.
#[derive(Clone)]
pub struct Middleware {
    http: reqwest_middleware::ClientWithMiddleware,
    url: reqwest::Url,
}

impl Middleware {
    pub fn new(base: &str) -> Self {
        let raw = Raw::new(base);
        let retry = reqwest_retry::RetryTransientMiddleware::new_with_policy(
            reqwest_retry::policies::ExponentialBackoff::builder().build_with_max_retries(3),
        );
        let http = reqwest_middleware::ClientBuilder::new(raw.http)
            .with(reqwest_tracing::TracingMiddleware::default())
            .with(retry)
            .build();
        Self { http, url: raw.url }
    }

    /// Raw's `logout`, through the middleware.
    pub async fn logout(&self, token: &str) -> RawEnvelope {
        let response = self
            .http
            .post(self.url.clone())
            .bearer_auth(token)
            .header(header::ACCEPT, "application/json")
            .timeout(TIMEOUT)
            .send()
            .await
            .expect("middleware: send");
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "middleware: status"
        );
        let envelope: RawEnvelope = response.json().await.expect("middleware: decode");
        assert!(
            envelope.status == RawStatus::Success && envelope.response.success != Some(false),
            "middleware: not a successful logout"
        );
        envelope
    }
}

/// The contenders, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Raw,
    Generated,
    Middleware,
    /// One session, reused: `session.api().post_users_logout().send()`.
    SdkSession,
    /// The main job: a fresh session and `logout()`, default retries.
    Sdk,
    /// The main job with retries disabled.
    SdkNoRetry,
}

impl Which {
    pub const ALL: [Which; 6] = [
        Which::Raw,
        Which::Generated,
        Which::Middleware,
        Which::SdkSession,
        Which::Sdk,
        Which::SdkNoRetry,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Which::Raw => "raw_reqwest",
            Which::Generated => "generated",
            Which::Middleware => "middleware",
            Which::SdkSession => "sdk_session",
            Which::Sdk => "sdk",
            Which::SdkNoRetry => "sdk_no_retry",
        }
    }

    /// Position in [`Which::ALL`].
    pub fn index(self) -> usize {
        Which::ALL.iter().position(|w| *w == self).unwrap_or(0)
    }
}

/// Every contender against one server.
#[derive(Clone)]
pub struct Contenders {
    pub raw: Raw,
    pub generated: uberall_client::Client,
    pub middleware: Middleware,
    pub session: uberall_sdk::Session,
    pub sdk: uberall_sdk::Client,
    pub sdk_no_retry: uberall_sdk::Client,
}

impl Contenders {
    pub fn new(base: &str) -> Self {
        let sdk = sdk(base);
        Self {
            raw: Raw::new(base),
            generated: generated(base),
            middleware: Middleware::new(base),
            session: sdk.session(TOKEN),
            sdk,
            sdk_no_retry: uberall_sdk::Client::builder()
                .base_url(base)
                .api_key(API_KEY)
                .retry(uberall_sdk::RetryConfig::disabled())
                .build()
                .expect("SDK client"),
        }
    }

    /// One logout by `which`; the decoded value goes through `black_box`.
    pub async fn call(&self, which: Which) {
        match which {
            Which::Raw => {
                std::hint::black_box(self.raw.logout(TOKEN).await);
            }
            Which::Generated => {
                std::hint::black_box(generated_logout(&self.generated).await);
            }
            Which::Middleware => {
                std::hint::black_box(self.middleware.logout(TOKEN).await);
            }
            Which::SdkSession => {
                let envelope = self
                    .session
                    .api()
                    .post_users_logout()
                    .send()
                    .await
                    .expect("sdk_session: send")
                    .into_inner();
                std::hint::black_box(envelope);
            }
            Which::Sdk => {
                std::hint::black_box(sdk_logout(&self.sdk).await);
            }
            Which::SdkNoRetry => {
                std::hint::black_box(sdk_logout(&self.sdk_no_retry).await);
            }
        }
    }
}

/// Sends one request per contender to a capturing server and checks that they carry the same
/// headers with the same values (`api-version` included: the generated operations, and so the
/// SDK, send it; raw reqwest is given it too).
pub fn check_same_headers(rt: &tokio::runtime::Runtime) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = start_server_thread(Some(Arc::clone(&seen)));
    let contenders = Contenders::new(&server.base);
    rt.block_on(async {
        for which in Which::ALL {
            contenders.call(which).await;
        }
    });
    let seen = seen.lock().expect("capture lock");
    assert_eq!(seen.len(), Which::ALL.len(), "one request per contender");
    let shown = |h: &HeaderMap| {
        let mut pairs: Vec<String> = h
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("<bytes>")))
            .collect();
        pairs.sort();
        pairs
    };
    let raw = shown(&seen[0]);
    for (which, headers) in Which::ALL.iter().zip(seen.iter()).skip(1) {
        assert_eq!(
            shown(headers),
            raw,
            "{} sends other headers than raw reqwest",
            which.name()
        );
    }
    assert!(seen.iter().all(|h| h.get("api-version").is_some()));
    let names: Vec<String> = raw
        .iter()
        .map(|h| h.split(':').next().unwrap_or_default().to_owned())
        .collect();
    println!(
        "same request from every contender: POST /users/logout with {}",
        names.join(", ")
    );
}

/// The median of `samples` (sorted in place); zero when empty.
pub fn median(samples: &mut [Duration]) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// CPU time consumed so far by the thread `tid` (`None`: the calling thread), from the
/// scheduler's own accounting in `/proc`; `None` where that file is unavailable.
pub fn thread_cpu(tid: Option<u32>) -> Option<Duration> {
    let path = match tid {
        None => "/proc/thread-self/schedstat".to_owned(),
        Some(tid) => format!("/proc/self/task/{tid}/schedstat"),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The calling thread's id, as `/proc/self/task` names it.
pub fn current_tid() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}
