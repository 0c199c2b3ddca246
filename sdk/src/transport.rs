//! Every request of every generated operation, from where the generated client hands it
//! over (`uberall_client::hooks::Transport`) to the response it decodes.
//!
//! For each call: ask the [`Caller`] for the request's credentials (it may refuse: an ended
//! session); then attempt, each attempt in its own `uberall.request` span and bounded by the
//! attempt timeout and what is left of the call's deadline; read the body up to the cap;
//! let [`crate::policy`] say what the response means and whether to try again. The success
//! goes back to the generated code to decode, byte for byte as the server sent it; an error
//! goes back typed through [`crate::bridge`].

use std::{future::Future, pin::Pin, time::Instant};

use bytes::{Bytes, BytesMut};
use reqwest::{
    ResponseBuilderExt as _, Url,
    header::{HeaderValue, USER_AGENT},
};
use tracing::{Instrument, Span, field};
use uberall_client::{
    hooks::{DecodeFailure, DecodeOutcome, Exchange, Prefetched},
    operations::Operation,
};

use crate::{
    bridge::{carry, decode_failure},
    client::ClientInner,
    error::{Error, ResponseError, TimeoutError},
    policy,
    response::Buffered,
    secret::{Redactor, SecretHeader},
    wire::{API_KEY_HEADER, TOKEN_HEADER},
};

/// Whom requests are sent for: a session (its token, the client's API key) or, without a
/// session, the client (its API key). The one place that decides which credentials a request
/// carries and whether it may be sent at all.
pub(crate) trait Caller: Send + Sync {
    /// The client whose configuration and policy apply.
    fn client(&self) -> &ClientInner;

    /// The credentials `operation` is sent with (those its security requirement accepts, of
    /// those held), or why nothing may be sent.
    fn credentials(&self, operation: Option<&'static Operation>) -> Result<Credentials<'_>, Error>;

    /// An attempt of `operation` failed after the server may have processed it.
    fn maybe_processed(&self, _operation: Option<&'static Operation>) {}

    /// Whether a call of `operation` rejected for its token is sent again after a
    /// [`renew`](Caller::renew); only then is a copy of the request kept for it.
    fn renews(&self, _operation: Option<&'static Operation>) -> bool {
        false
    }

    /// Replaces the token `stale`, which the API rejected, by logging in again (once for all
    /// callers that hold it); `None` when this caller does not renew.
    fn renew<'a>(&'a self, _stale: &'a SecretHeader) -> Option<Renewal<'a>> {
        None
    }
}

/// A renewal in progress: `Ok` once the caller holds a fresh token.
pub(crate) type Renewal<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// What a request carries to say who sends it.
#[derive(Clone, Default)]
pub(crate) struct Credentials<'a> {
    /// `Authorization`; the request's own clone, as a renewal may replace the caller's
    /// meanwhile.
    pub(crate) token: Option<SecretHeader>,
    /// `X-API-KEY`.
    pub(crate) api_key: Option<&'a SecretHeader>,
}

/// [`uberall_client::hooks::Transport::execute`] for any caller.
pub(crate) fn execute<'a, C: Caller>(
    caller: &'a C,
    http: &'a reqwest::Client,
    request: reqwest::Request,
    operation_id: &'static str,
) -> Exchange<'a> {
    // Written into a fresh box rather than `Box::pin(future)`: the future is ~4 KB (the
    // whole retry loop's state) of which only the arguments are set yet, and `Box::pin`
    // copied all of it from the stack on every call.
    let future = Box::write(Box::new_uninit(), async move {
        match call(caller, http, request, operation_id).await {
            Ok(response) => Ok(response),
            Err(err) => carry(err).await,
        }
    });
    Box::into_pin(future)
}

/// The generated `Transport::decode_error` of every caller: a documented body that does not
/// decode is `Error::Decode` with what the response said, redacted of the credentials the
/// operation was sent with (the only ones its server could echo).
pub(crate) fn decode_error<'a, C: Caller>(
    caller: &'a C,
    failure: &'a DecodeFailure,
) -> DecodeOutcome<'a> {
    Box::pin(async move {
        let operation = caller.client().operation(failure.operation_id);
        let credentials = caller.credentials(operation).unwrap_or_default();
        let redactor = Redactor::new(credentials.token.as_ref(), credentials.api_key);
        carry(decode_failure(failure, &redactor)).await.err()
    })
}

/// The call as the retry loop sees it.
struct Call<'a> {
    inner: &'a ClientInner,
    http: &'a reqwest::Client,
    operation_id: &'static str,
    operation: Option<&'static Operation>,
    redactor: Redactor<'a>,
    /// `None` when the configured deadline is too far away to be represented (no limit).
    deadline: Option<Instant>,
}

async fn call<C: Caller>(
    caller: &C,
    http: &reqwest::Client,
    request: reqwest::Request,
    operation_id: &'static str,
) -> Result<reqwest::Response, Error> {
    let operation = caller.client().operation(operation_id);
    let credentials = credentials_for(caller, operation, operation_id, &request)?;
    let renewable = credentials.token.is_some() && caller.renews(operation);
    // Kept for a resend after renewal; a body that cannot be cloned (a stream) gets none.
    let resend = renewable.then(|| request.try_clone()).flatten();
    let err = match send(caller, http, request, operation_id, operation, &credentials).await {
        Ok(response) => return Ok(response),
        Err(err) => err,
    };
    let (Some(resend), Some(stale)) = (resend, credentials.token.as_ref()) else {
        return Err(err);
    };
    if !policy::is_rejected_token(&err) {
        return Err(err);
    }
    let Some(renewal) = caller.renew(stale) else {
        return Err(err);
    };
    tracing::debug!(
        uberall.operation = operation_id,
        "access token rejected; logging in again"
    );
    renewal.await?;
    // Once, with the fresh token: a second rejection is the answer.
    let credentials = credentials_for(caller, operation, operation_id, &resend)?;
    send(caller, http, resend, operation_id, operation, &credentials).await
}

fn credentials_for<'c, C: Caller>(
    caller: &'c C,
    operation: Option<&'static Operation>,
    operation_id: &'static str,
    request: &reqwest::Request,
) -> Result<Credentials<'c>, Error> {
    caller.credentials(operation).inspect_err(|err| {
        let route = operation.map_or(request.url().path(), |op| op.path);
        refused(
            caller.client(),
            operation_id,
            request.method().as_str(),
            route,
            err,
        );
    })
}

/// Sends `request` with `credentials`, retrying as the policy allows.
async fn send<C: Caller>(
    caller: &C,
    http: &reqwest::Client,
    mut request: reqwest::Request,
    operation_id: &'static str,
    operation: Option<&'static Operation>,
    credentials: &Credentials<'_>,
) -> Result<reqwest::Response, Error> {
    let inner = caller.client();
    add_headers(&mut request, credentials)?;
    // Unknown to the table (a generated client older than this crate): treated as unsafe to
    // repeat, the conservative side.
    let idempotent = operation.is_some_and(|op| op.idempotent);
    let call = Call {
        inner,
        http,
        operation_id,
        operation,
        redactor: Redactor::new(credentials.token.as_ref(), credentials.api_key),
        deadline: Instant::now().checked_add(inner.deadline()),
    };
    let retry = inner.retry();
    let mut attempt = 1;
    loop {
        // Keep the original for the last attempt; a body that cannot be cloned (a stream)
        // makes this the last attempt.
        let retry_copy = (attempt < retry.max_attempts())
            .then(|| request.try_clone())
            .flatten();
        let err = match call.attempt(request, attempt).await {
            Ok(response) => return Ok(response),
            Err(err) => policy::judged(err, idempotent),
        };
        if policy::maybe_processed(&err) {
            caller.maybe_processed(operation);
        }
        let Some(next) = retry_copy else {
            return Err(err);
        };
        let Some(delay) = policy::retry_delay(retry, &err, attempt, fastrand::f64()) else {
            return Err(err);
        };
        let resumes = Instant::now().checked_add(delay);
        if call
            .deadline
            .is_some_and(|d| resumes.is_none_or(|r| r >= d))
        {
            // The next attempt could not finish in time; the error at hand says more than
            // a deadline would.
            return Err(err);
        }
        tracing::debug!(
            uberall.operation = operation_id,
            uberall.attempt = attempt,
            error.type = err.kind(),
            http.response.status_code = err.http_status().map(|s| s.as_u16()),
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "retrying uberall request"
        );
        tokio::time::sleep(delay).await;
        request = next;
        attempt += 1;
    }
}

/// Leaves the trace of a call refused before anything was sent (an ended session, an
/// unusable credential): the span a request would have had, closed at once with its
/// `error.type`.
pub(crate) fn refused(
    inner: &ClientInner,
    operation_id: &'static str,
    method: &str,
    route: &str,
    err: &Error,
) {
    request_span(inner, operation_id, method, route, 1).record("error.type", err.kind());
}

/// The `uberall.request` span of one attempt, with OpenTelemetry's HTTP client attribute
/// names; the outcome's fields are recorded when known. With no subscriber interested it is
/// disabled, and nothing is formatted.
fn request_span(
    inner: &ClientInner,
    operation_id: &'static str,
    method: &str,
    route: &str,
    attempt: u32,
) -> Span {
    let url = inner.url();
    tracing::info_span!(
        "uberall.request",
        http.request.method = method,
        http.route = route,
        server.address = url.host_str().unwrap_or_default(),
        server.port = url.port_or_known_default(),
        uberall.operation = operation_id,
        uberall.attempt = attempt,
        http.response.status_code = field::Empty,
        error.type = field::Empty,
        duration_us = field::Empty,
    )
}

impl Call<'_> {
    /// One attempt in its `uberall.request` span. Each field is recorded once, when known;
    /// with no subscriber interested the span is disabled and nothing is formatted or timed.
    async fn attempt(
        &self,
        request: reqwest::Request,
        attempt: u32,
    ) -> Result<reqwest::Response, Error> {
        let route = self.operation.map_or(request.url().path(), |op| op.path);
        let method = request.method().as_str();
        let span = request_span(self.inner, self.operation_id, method, route, attempt);
        let started = (!span.is_disabled()).then(Instant::now);
        // Not wrapped for a disabled span, where entering it would do nothing: the wrapper
        // costs a copy of the exchange's ~1 KB future on every attempt.
        let result = match started {
            Some(_) => self.exchange(request).instrument(span.clone()).await,
            None => self.exchange(request).await,
        };
        if let Some(started) = started {
            let micros = started.elapsed().as_micros();
            span.record("duration_us", u64::try_from(micros).unwrap_or(u64::MAX));
            let status = match &result {
                Ok(response) => Some(response.status()),
                Err(err) => err.http_status(),
            };
            if let Some(status) = status {
                span.record("http.response.status_code", status.as_u16());
            }
            if let Err(err) = &result {
                span.record("error.type", err.kind());
            }
        }
        result
    }

    /// Sends, reads and classifies; the success comes back rebuilt around the read body.
    async fn exchange(&self, mut request: reqwest::Request) -> Result<reqwest::Response, Error> {
        let remaining = self.deadline.map_or(self.inner.deadline(), |d| {
            d.saturating_duration_since(Instant::now())
        });
        if remaining.is_zero() {
            return Err(Error::Timeout(TimeoutError::deadline(
                self.inner.deadline(),
            )));
        }
        // Per request rather than on the reqwest client, so that it also applies to a
        // caller-supplied client. It covers connecting, sending and reading the body.
        let (limit, deadline_bound) = if remaining < self.inner.timeout() {
            (remaining, true)
        } else {
            (self.inner.timeout(), false)
        };
        // Set only where the pool's own limit differs: the setting costs a map of extensions.
        if self.inner.http_timeout() != Some(limit) {
            *request.timeout_mut() = Some(limit);
        }
        let limit_kind = if deadline_bound {
            (self.inner.deadline(), true)
        } else {
            (limit, false)
        };
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| Error::from_reqwest(e, Some(limit_kind)))?;
        let status = response.status();
        check_origin(self.inner.url(), &response)?;
        let headers = std::mem::take(response.headers_mut());
        let url = response.url().clone();
        let body = read_capped(&mut response, self.inner.max_response_bytes())
            .await
            .map_err(|e| match e {
                Capped::TooLarge => Error::BodyTooLarge {
                    http_status: status,
                    limit: self.inner.max_response_bytes(),
                },
                Capped::Read(e) => Error::from_reqwest(e, Some(limit_kind)),
            })?;
        let buffered = Buffered {
            status,
            headers,
            body,
        };
        policy::classify(&buffered, self.operation, &self.redactor)
            .map_err(|err| policy::explain_unsecured_refusal(err, self.operation))?;
        Ok(rebuild(buffered, url))
    }
}

/// Sets the headers every request carries. Credential values are marked sensitive, so
/// `http`'s own `Debug` never shows them.
fn add_headers(request: &mut reqwest::Request, credentials: &Credentials<'_>) -> Result<(), Error> {
    let headers = request.headers_mut();
    if let Some(token) = &credentials.token {
        headers.insert(TOKEN_HEADER.clone(), token.header_value()?);
    }
    if let Some(api_key) = credentials.api_key {
        headers.insert(API_KEY_HEADER.clone(), api_key.header_value()?);
    }
    headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
    Ok(())
}

/// Only a caller-supplied `reqwest::Client` can have followed a redirect to another origin
/// (ours never does). Its answer is not the API's, so its body is not even read. Every
/// operation's URL extends the base URL, so the base has the request's origin.
fn check_origin(base_url: &Url, response: &reqwest::Response) -> Result<(), Error> {
    let url = response.url();
    // Compared by parts: `Url::origin` allocates, and this runs on every call.
    if url.scheme() == base_url.scheme()
        && url.host() == base_url.host()
        && url.port_or_known_default() == base_url.port_or_known_default()
    {
        return Ok(());
    }
    Err(Error::UnexpectedStatus(ResponseError::new(
        Some(response.status()),
        None,
        String::new(),
        Some(
            "the response came from another origin: the supplied reqwest::Client followed a \
             cross-origin redirect (and sent X-API-KEY there); build it with \
             uberall_sdk::redirect_policy()"
                .to_owned(),
        ),
        None,
    )))
}

/// The success response for the generated code to decode: same status, headers, URL and
/// body, the body now in memory, and handed over as read ([`Prefetched`]) so that the
/// generated decoding does not read it again.
fn rebuild(buffered: Buffered, url: Url) -> reqwest::Response {
    let Buffered {
        status,
        headers,
        body,
    } = buffered;
    let mut response = http::Response::new(reqwest::Body::from(body.clone()));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    // Without its URL (an extension only reqwest's builder can set), reqwest would parse a
    // placeholder URL for every response. Setting nothing else, the builder cannot fail.
    if let Ok(with_url) = http::response::Builder::new().url(url).body(()) {
        *response.extensions_mut() = with_url.into_parts().0.extensions;
    }
    response.extensions_mut().insert(Prefetched(body));
    reqwest::Response::from(response)
}

enum Capped {
    TooLarge,
    Read(reqwest::Error),
}

/// Reads the body, failing as soon as it is known to exceed `limit` bytes, so a huge or
/// endless body never costs more than `limit` bytes of memory. A body that arrives in one
/// chunk (the usual case) is returned without copying.
async fn read_capped(response: &mut reqwest::Response, limit: usize) -> Result<Bytes, Capped> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(Capped::TooLarge);
    }
    let mut single: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.map_err(Capped::Read)? {
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(Capped::TooLarge);
        }
        if single.is_none() && joined.is_empty() {
            single = Some(chunk);
            continue;
        }
        if let Some(first) = single.take() {
            joined.reserve(total);
            joined.extend_from_slice(&first);
        }
        joined.extend_from_slice(&chunk);
    }
    Ok(single.unwrap_or_else(|| joined.freeze()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(chunks: &[&'static str]) -> reqwest::Response {
        let chunks: Vec<Result<Bytes, std::io::Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        reqwest::Response::from(http::Response::new(body))
    }

    #[tokio::test]
    async fn joins_chunks_of_unknown_length_within_the_cap() {
        let body = read_capped(&mut streamed(&["{\"a\":", "", "1}"]), 16).await;
        assert_eq!(&body.ok().unwrap()[..], b"{\"a\":1}");
        let body = read_capped(&mut streamed(&["", "", "only"]), 16).await;
        assert_eq!(&body.ok().unwrap()[..], b"only");
        let body = read_capped(&mut streamed(&[]), 16).await;
        assert!(body.ok().unwrap().is_empty());
    }

    #[tokio::test]
    async fn stops_at_the_cap_without_a_content_length() {
        let err = read_capped(&mut streamed(&["12345678", "9"]), 8).await;
        assert!(matches!(err, Err(Capped::TooLarge)));
        let body = read_capped(&mut streamed(&["12345678"]), 8).await;
        assert_eq!(body.ok().unwrap().len(), 8);
    }

    #[tokio::test]
    async fn rebuilt_response_keeps_status_headers_and_body() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-extra", HeaderValue::from_static("1"));
        let url = Url::parse("http://127.0.0.1:9/api/x").unwrap();
        let buffered = Buffered {
            status: reqwest::StatusCode::CREATED,
            headers,
            body: Bytes::from_static(b"{}"),
        };
        let response = rebuild(buffered, url.clone());
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        assert_eq!(response.url(), &url);
        assert_eq!(response.headers()["x-extra"], "1");
        let Some(Prefetched(prefetched)) = response.extensions().get::<Prefetched>() else {
            panic!("the body read is not handed over");
        };
        assert_eq!(&prefetched[..], b"{}");
        assert_eq!(&response.bytes().await.unwrap()[..], b"{}");
    }
}
