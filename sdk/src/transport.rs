//! The SDK's policy for every request of every generated operation, applied where the
//! generated client hands its request over (`uberall_client::hooks::Transport`).
//!
//! For each call: fail fast on an ended session; add the session's credentials; then attempt,
//! each attempt in its own `uberall.request` span and bounded by the attempt timeout and what
//! is left of the call's deadline; read the body up to the cap and scrub the credentials out
//! of it; decide from the response what it means ([`crate::response::classify`]); retry what
//! is retryable and safe for the method ([`RetryConfig`](crate::RetryConfig)). The success
//! goes back to the generated code to decode; an error goes back typed through
//! [`crate::bridge`].

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use reqwest::{
    ResponseBuilderExt as _, Url,
    header::{AUTHORIZATION, CONTENT_LENGTH, HeaderName, HeaderValue, USER_AGENT},
};
use tracing::{Instrument, field};
use uberall_client::{
    hooks::{DecodeFailure, DecodeOutcome, Exchange, Transport},
    operations::{self, Operation},
};

use crate::{
    bridge::{carry, decode_failure},
    client::ClientInner,
    error::{Error, ResponseError, TimeoutError},
    response::{Buffered, classify},
    retry::is_idempotent,
    secret::{Redactor, SecretHeader},
    session::Shared,
};

static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

impl Transport for Shared {
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Exchange<'a> {
        Box::pin(async move {
            match self.call(http, request, operation_id).await {
                Ok(response) => Ok(response),
                Err(err) => Err(carry(err).await),
            }
        })
    }

    /// A documented body that does not decode: `Error::Decode` with what the response said,
    /// scrubbed of this session's credentials.
    fn decode_error<'a>(&'a self, failure: &'a DecodeFailure) -> DecodeOutcome<'a> {
        Box::pin(async move {
            let token = self.authorization().ok();
            let redactor = Redactor::new(token, self.client.inner.api_key.as_ref());
            Some(carry(decode_failure(failure, &redactor)).await)
        })
    }
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

impl Shared {
    async fn call(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<reqwest::Response, Error> {
        if self.is_ended() {
            return Err(Error::SessionEnded);
        }
        let authorization = self.authorization()?;
        let inner = &*self.client.inner;
        add_headers(&mut request, authorization, inner.api_key.as_ref())?;
        let operation = operations::by_id(operation_id);
        let is_logout = operation.is_some_and(|op| op.id == operations::POST_USERS_LOGOUT.id);
        let idempotent = is_idempotent(request.method()) || is_logout;
        let call = Call {
            inner,
            http,
            operation_id,
            operation,
            redactor: Redactor::new(Some(authorization), inner.api_key.as_ref()),
            deadline: Instant::now().checked_add(inner.deadline),
        };
        let mut attempt = 1;
        loop {
            // Keep the original for the last attempt; a body that cannot be cloned (a stream)
            // makes this the last attempt.
            let retry_copy = (attempt < inner.retry.max_attempts())
                .then(|| request.try_clone())
                .flatten();
            let err = match call.attempt(request, attempt).await {
                Ok(response) => return Ok(response),
                Err(err) => err,
            };
            if is_logout && err.may_have_taken_effect() {
                self.note_logout_may_have_taken_effect();
            }
            let Some(next) = retry_copy else {
                return Err(err);
            };
            let Some(delay) = inner
                .retry
                .retry_delay(&err, attempt, idempotent, fastrand::f64())
            else {
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
                operation = operation_id,
                attempt,
                error.kind = err.kind(),
                http.status = err.http_status().map(|s| s.as_u16()),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying uberall request"
            );
            tokio::time::sleep(delay).await;
            request = next;
            attempt += 1;
        }
    }
}

impl Call<'_> {
    /// One attempt in its `uberall.request` span. Each field is recorded once, when known;
    /// with no subscriber interested the span is disabled and nothing is formatted or timed.
    async fn attempt(
        &self,
        request: reqwest::Request,
        attempt: u32,
    ) -> Result<reqwest::Response, Error> {
        let span = tracing::info_span!(
            "uberall.request",
            operation = self.operation_id,
            http.method = request.method().as_str(),
            attempt,
            http.status = field::Empty,
            elapsed_ms = field::Empty,
            error.kind = field::Empty,
        );
        let started = (!span.is_disabled()).then(Instant::now);
        let result = self.exchange(request).instrument(span.clone()).await;
        if let Some(started) = started {
            span.record("elapsed_ms", started.elapsed().as_secs_f64() * 1e3);
            let status = match &result {
                Ok(response) => Some(response.status()),
                Err(err) => err.http_status(),
            };
            if let Some(status) = status {
                span.record("http.status", status.as_u16());
            }
            if let Err(err) = &result {
                span.record("error.kind", err.kind());
            }
        }
        result
    }

    /// Sends, reads and classifies; the success comes back rebuilt around the read body.
    async fn exchange(&self, mut request: reqwest::Request) -> Result<reqwest::Response, Error> {
        let remaining = self.deadline.map_or(self.inner.deadline, |d| {
            d.saturating_duration_since(Instant::now())
        });
        if remaining.is_zero() {
            return Err(Error::Timeout(TimeoutError::deadline(self.inner.deadline)));
        }
        // Per request rather than on the reqwest client, so that it also applies to a
        // caller-supplied client. It covers connecting, sending and reading the body.
        let (limit, deadline_bound) = if remaining < self.inner.timeout {
            (remaining, true)
        } else {
            (self.inner.timeout, false)
        };
        *request.timeout_mut() = Some(limit);
        let limit_kind = if deadline_bound {
            (self.inner.deadline, true)
        } else {
            (limit, false)
        };
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| Error::from_reqwest(e, Some(limit_kind)))?;
        let status = response.status();
        check_origin(&self.inner.url, &response)?;
        let headers = std::mem::take(response.headers_mut());
        let url = response.url().clone();
        let body = read_capped(&mut response, self.inner.max_response_bytes)
            .await
            .map_err(|e| match e {
                Capped::TooLarge => Error::BodyTooLarge {
                    http_status: status,
                    limit: self.inner.max_response_bytes,
                },
                Capped::Read(e) => Error::from_reqwest(e, Some(limit_kind)),
            })?;
        let read = body.len();
        let buffered = Buffered {
            status,
            headers,
            body: self.redactor.scrub_body(body),
        };
        classify(&buffered, self.operation, &self.redactor)?;
        Ok(rebuild(buffered, url, read))
    }
}

/// Sets the headers every request carries. Credential values are marked sensitive, so
/// `http`'s own `Debug` never shows them.
fn add_headers(
    request: &mut reqwest::Request,
    authorization: &SecretHeader,
    api_key: Option<&SecretHeader>,
) -> Result<(), Error> {
    let headers = request.headers_mut();
    headers.insert(AUTHORIZATION, authorization.header_value()?);
    if let Some(api_key) = api_key {
        headers.insert(X_API_KEY.clone(), api_key.header_value()?);
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

/// The success response for the generated code to decode: same status, headers and URL, the
/// read (and scrubbed) body. `read` is the length as received.
fn rebuild(buffered: Buffered, url: Url, read: usize) -> reqwest::Response {
    let Buffered {
        status,
        mut headers,
        body,
    } = buffered;
    if body.len() != read {
        // Scrubbing changed the length.
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    let mut response = http::Response::new(reqwest::Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    // Without its URL (an extension only reqwest's builder can set), reqwest would parse a
    // placeholder URL for every response. Setting nothing else, the builder cannot fail.
    if let Ok(with_url) = http::response::Builder::new().url(url).body(()) {
        *response.extensions_mut() = with_url.into_parts().0.extensions;
    }
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
        let response = rebuild(buffered, url.clone(), 5);
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        assert_eq!(response.url(), &url);
        assert_eq!(response.headers()["x-extra"], "1");
        assert_eq!(
            response.headers()[CONTENT_LENGTH],
            "2",
            "the scrubbed length"
        );
        assert_eq!(&response.bytes().await.unwrap()[..], b"{}");
    }
}
