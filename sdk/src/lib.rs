//! Rust SDK for the [uberall REST API](https://uberall.com): sessions, every operation of the
//! spec through them, typed errors, retries, timeouts.
//!
//! # Quick start
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = uberall_sdk::mock::MockServer::start().await?;
//! # let (base_url, api_key, token) = (mock.base_url(), mock.api_key().unwrap(), mock.issue_token());
//! let client = uberall_sdk::Client::builder().base_url(base_url).api_key(api_key).build()?;
//! let session = client.session(token);
//! let outcome = session.logout().await?;
//! println!("logged out; send the user to {:?}", outcome.redirect_url());
//! assert!(session.logout().await.unwrap_err().is_session_ended());
//! # Ok(()) }
//! ```
//!
//! In production, `Client::builder()` defaults to [`PRODUCTION_BASE_URL`];
//! [`Client::from_env`] and [`Session::from_env`] read `UBERALL_BASE_URL`, `UBERALL_API_KEY`
//! and `UBERALL_ACCESS_TOKEN`. `cargo run -p uberall-sdk --example logout` runs the flow above
//! against the embedded mock, or against a real server when those variables are set.
//!
//! # Calling any operation
//!
//! [`Session::api`] hands out the generated client (`uberall_client::Client`, re-exported as
//! [`api`]) bound to the session. Every operation of the spec is a builder method on it, and
//! its error converts into [`Error`] with `?`:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> uberall_sdk::Result<()> {
//! # let mock = uberall_sdk::mock::MockServer::start().await.unwrap();
//! # let session = mock.client()?.session(mock.issue_token());
//! let response = session.api().post_users_logout().send().await?;
//! assert_eq!(response.status(), 200);
//! let envelope = response.into_inner(); // uberall_sdk::api::types::PostUsersLogoutEnvelope
//! assert_eq!(envelope.status, uberall_sdk::Status::Success);
//! # Ok(()) }
//! ```
//!
//! A doc added under `spec/endpoints/` becomes such a method after `cargo xtask generate`,
//! with every guarantee below and no code in this crate: the generated client hands each
//! request to this crate's transport (the generated `hooks::Transport`, installed as the
//! client's inner value), so there is one HTTP path for all operations.
//!
//! # Concepts
//!
//! * [`Client`]: configuration and one connection pool. Cheap to clone, `Send + Sync`.
//!   [`Client::api`] calls any operation with the API key alone; [`Client::login`] logs a
//!   user in ([`LoginCredentials`]: email or user id, with password or private key).
//! * [`Session`]: a client plus one access token, from [`Client::login`] (renewed when it
//!   expires) or [`Client::session`]. Cheap to clone; all clones share one state.
//!   [`Session::api`] calls any operation with it.
//! * **Credentials per operation.** Each call carries what its doc's security requirement
//!   accepts and the caller holds (the generated operations table says which): the token
//!   for `Authorization`, the API key for `X-API-KEY`, nothing where none is declared. A
//!   requirement that cannot be met is [`Error::MissingCredential`], and nothing is sent. [`Session::logout`] ends it for every
//!   clone, sending one request however many clones call it at once. [`Session::scope`] logs
//!   out when your work finishes, even on error or panic.
//! * [`Error`]: one error type to match on, with [`Error::is_retryable`], [`Error::is_auth`]
//!   and accessors for the HTTP status, [`Status`] and [`ErrorCode`].
//! * [`RetryConfig`]: retry policy as data. [`RetryConfig::disabled`] turns retries off.
//!
//! # Behaviour worth knowing (every operation)
//!
//! * **Retries.** Connect errors, attempt timeouts, HTTP 429/502/503/504 and
//!   `QUOTA_LIMIT_EXCEED` are retried with exponential backoff and full jitter, when repeating
//!   the request is safe for the operation (the spec's operations table says which are
//!   idempotent: `GET`, `PUT`, `DELETE`, logout) after any of them, other `POST`s and `PATCH`
//!   only when the request certainly was not carried out (no connection, or 429/503);
//!   [`Error::is_retryable`] gives the same verdict.
//!   `Retry-After` (seconds or HTTP date) replaces the backoff; one longer than
//!   [`RetryConfig::max_retry_after`] is not waited for: the error returns at once with
//!   [`Error::retry_after`] set. Authentication and validation errors are never retried.
//! * **Timeouts.** [`ClientBuilder::connect_timeout`] bounds connecting;
//!   [`ClientBuilder::timeout`] bounds each attempt, reading the body included;
//!   [`ClientBuilder::deadline`] bounds the whole call, retries and waits included.
//!   [`TimeoutError::is_deadline`] tells which ran out.
//! * **Open enums.** [`Status`] and [`ErrorCode`] come from the generated crate; a value the
//!   docs do not list arrives as `Unrecognized(String)` instead of failing the response, and
//!   unknown fields are ignored.
//! * **Response bodies** are read up to a cap (1 MiB by default): a larger one is
//!   [`Error::BodyTooLarge`], never unbounded memory. What a response means is decided from
//!   the operation's documented statuses in the spec: the uberall error envelope is
//!   [`Error::Api`] whatever the status (also on a 2xx whose `status` is not `SUCCESS`); a
//!   documented status with another body is [`Error::Decode`], an undocumented one
//!   [`Error::UnexpectedStatus`].
//! * **Secrets.** The API key and token are kept in redacting wrappers and wiped on drop;
//!   `Debug`, `Display`, tracing fields and error messages never contain them. Response bodies
//!   are decoded as sent; what the SDK shows from them (error messages and excerpts, outcome
//!   messages) is redacted, as sent, JSON-escaped and percent-encoded.
//!   Plain `http://` to a host other than loopback is refused unless
//!   [`ClientBuilder::allow_insecure_http`] opts in.
//! * **Redirects.** Only 307/308 redirects to the same origin are followed, so neither
//!   `Authorization` nor `X-API-KEY` is ever sent to another host (reqwest alone would drop
//!   `Authorization` there but forward `X-API-KEY`). With your own `reqwest::Client`, install
//!   [`redirect_policy`] on it.
//! * **Tracing.** Each attempt runs in an `uberall.request` span (INFO) with OpenTelemetry's
//!   HTTP client fields (`http.request.method`, `http.route`, `server.address`,
//!   `server.port`, `http.response.status_code`, `error.type`) and `uberall.operation`,
//!   `uberall.attempt`, `duration_us`, each recorded once; a call refused before sending gets
//!   one too; retries emit a DEBUG event. Without a subscriber the span costs next to
//!   nothing. The README shows a subscriber printing one line per request.
//!
//! # Testing your service
//!
//! The `test-util` feature adds the `mock` module: the spec served over real HTTP on
//! `127.0.0.1`, routes from the generated operations, answers scriptable per operation id
//! (status, body, delay, faults) and a request log (`uberall_sdk::mock::MockServer`).

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bridge;
mod client;
mod error;
mod login;
mod logout;
mod policy;
mod response;
mod retry;
mod secret;
mod security;
mod session;
mod transport;
mod wire;

#[cfg(all(test, feature = "test-util"))]
mod tests;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod mock;

pub use client::{
    AuthScheme, Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, PRODUCTION_BASE_URL, SANDBOX_BASE_URL, USER_AGENT,
    redirect_policy,
};
pub use error::{
    ApiError, ConfigError, CredentialError, Error, ResponseError, Result, TimeoutError,
    TransportError,
};
pub use login::{LoginBuilder, LoginCredentials};
pub use logout::LogoutOutcome;
pub use retry::RetryConfig;
pub use session::{Scoped, Session};
/// Value of the envelope's `errorCode`, generated from the spec (open enum); see the
/// [`ApiError`] example.
pub use uberall_client::types::ErrorCode;
/// Value of the envelope's `status`, generated from the spec (open enum); see the
/// [`ApiError`] example.
pub use uberall_client::types::Status;

/// The `reqwest` this crate is built on, for [`ClientBuilder::http_client`].
pub use reqwest;
/// The secret string type accepted for the API key ([`ClientBuilder::api_key`]) and access
/// token ([`Client::session`]).
pub use secrecy::SecretString;
/// The generated client crate: every operation, type and the operations table; see
/// [Calling any operation](crate#calling-any-operation).
pub use uberall_client as api;
/// The URL type of [`LogoutOutcome::redirect_url`].
pub use url::Url;

/// The README's Rust examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
