//! One HTTP attempt: build the request, send it, read the body up to the cap.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::{
    Method, StatusCode, Url,
    header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT},
};
use tracing::{Instrument, field};
use uberall_client::operations::Operation;

use crate::{
    error::{Error, ResponseError},
    secret::SecretHeader,
};

static X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// An operation bound to a base URL: method and URL resolved once, at client build time.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) operation: Operation,
    pub(crate) method: Method,
    /// Shared with the logout outcomes that resolve a relative `redirectUrl` against it.
    pub(crate) url: std::sync::Arc<Url>,
}

/// A response with its body fully read (and capped).
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// The shared connection pool plus everything every request carries.
#[derive(Debug)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) api_key: Option<SecretHeader>,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

impl Transport {
    /// Sends one attempt and reads its answer with `interpret`, both inside the attempt's own
    /// `uberall.request` span.
    ///
    /// The span carries the operation id, attempt number, HTTP status, elapsed milliseconds and
    /// the kind of error the attempt ended with (transport, API, decode, ...); never a header.
    /// With no subscriber interested, the span is disabled and nothing is formatted or timed.
    pub(crate) async fn send<T>(
        &self,
        endpoint: &Endpoint,
        authorization: &SecretHeader,
        attempt: u32,
        interpret: impl FnOnce(&RawResponse) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let span = tracing::info_span!(
            "uberall.request",
            operation = endpoint.operation.id,
            attempt,
            http.status = field::Empty,
            elapsed_ms = field::Empty,
            error.kind = field::Empty,
        );
        if span.is_disabled() {
            return self
                .exchange(endpoint, authorization)
                .await
                .and_then(|response| interpret(&response));
        }
        let started = Instant::now();
        let exchanged = self
            .exchange(endpoint, authorization)
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", started.elapsed().as_secs_f64() * 1e3);
        let result = exchanged.and_then(|response| {
            span.record("http.status", response.status.as_u16());
            span.in_scope(|| interpret(&response))
        });
        if let Err(err) = &result {
            if let Some(status) = err.http_status() {
                span.record("http.status", status.as_u16());
            }
            span.record("error.kind", err.kind());
        }
        result
    }

    async fn exchange(
        &self,
        endpoint: &Endpoint,
        authorization: &SecretHeader,
    ) -> Result<RawResponse, Error> {
        let mut request = reqwest::Request::new(endpoint.method.clone(), Url::clone(&endpoint.url));
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, authorization.header_value()?);
        if let Some(api_key) = &self.api_key {
            headers.insert(X_API_KEY.clone(), api_key.header_value()?);
        }
        headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        // Per request rather than on the reqwest client, so that it also applies to a
        // caller-supplied client. It covers connecting, sending and reading the body.
        *request.timeout_mut() = Some(self.timeout);

        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(Error::from_reqwest)?;
        let status = response.status();
        // Only a caller-supplied reqwest::Client can have followed a redirect elsewhere (ours
        // never does). Its answer is not the API's, so its body is not even read.
        if response.url() != &*endpoint.url && response.url().origin() != endpoint.url.origin() {
            return Err(Error::UnexpectedStatus(ResponseError::new(
                status,
                None,
                String::new(),
                Some(
                    "the response came from another origin: the supplied reqwest::Client \
                     followed a cross-origin redirect (and sent X-API-KEY there); build it with \
                     uberall_sdk::redirect_policy()"
                        .to_owned(),
                ),
                None,
            )));
        }
        let headers = std::mem::take(response.headers_mut());
        let body = read_capped(&mut response, self.max_response_bytes, status).await?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// Reads the body, failing as soon as it is known to exceed `limit` bytes.
///
/// A body that arrives in one chunk (the usual case) is returned without copying.
async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
    status: StatusCode,
) -> Result<Bytes, Error> {
    let too_large = || Error::BodyTooLarge {
        http_status: status,
        limit,
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut single: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(too_large());
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
    Ok(single.unwrap_or_else(|| Bytes::from(joined)))
}

// `reqwest` does not re-export `http`; axum (behind `test-util`) does.
#[cfg(all(test, feature = "test-util"))]
mod tests {
    use super::*;

    fn streamed(chunks: &[&'static str]) -> reqwest::Response {
        let chunks: Vec<Result<Bytes, std::io::Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        reqwest::Response::from(axum::http::Response::new(body))
    }

    #[tokio::test]
    async fn joins_chunks_of_unknown_length_within_the_cap() {
        let mut response = streamed(&["{\"a\":", "", "1}"]);
        let body = read_capped(&mut response, 16, StatusCode::OK)
            .await
            .unwrap();
        assert_eq!(&body[..], b"{\"a\":1}");
        let mut response = streamed(&["", "", "only"]);
        let body = read_capped(&mut response, 16, StatusCode::OK)
            .await
            .unwrap();
        assert_eq!(&body[..], b"only");
        let mut response = streamed(&[]);
        assert!(
            read_capped(&mut response, 16, StatusCode::OK)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn stops_at_the_cap_without_a_content_length() {
        let mut response = streamed(&["12345678", "9"]);
        let err = read_capped(&mut response, 8, StatusCode::OK)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 8, .. }),
            "{err:?}"
        );
        let mut response = streamed(&["12345678"]);
        assert_eq!(
            read_capped(&mut response, 8, StatusCode::OK)
                .await
                .unwrap()
                .len(),
            8
        );
    }
}
