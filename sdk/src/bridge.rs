//! How the SDK's errors cross the generated client and come back out typed.
//!
//! The transport ([`crate::transport`]) runs inside the generated operation's `send()`, whose
//! error type is progenitor's `Error<E>`. An error the transport decides (session ended, body
//! too large, an API error answer, a deadline) travels as the source of the `reqwest::Error`
//! it returns; `From<progenitor_client::Error<E>>` finds it again in the source chain. Every
//! other variant converts here too, so this is the one place a generated error becomes an
//! [`Error`].

use std::time::SystemTime;

use bytes::Bytes;
use futures_util::stream;
use progenitor_client::Error as GeneratedError;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use uberall_client::hooks::DecodeFailure;

use crate::{
    ErrorCode, Status,
    error::{ApiError, Error, ResponseError},
    policy,
    response::excerpt,
    retry::parse_retry_after,
    secret::Redactor,
};

/// An SDK error riding inside a `reqwest::Error`.
#[derive(Debug)]
struct Carried(Error);

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Carried {}

/// Wraps `err` in a `reqwest::Error` (the only error a transport can return), by reading a
/// body whose one chunk is that error. Only error paths pay for it.
///
/// reqwest returns the first error of a body stream, and this one has nothing else. Should a
/// later reqwest not, the call still fails, untyped: with a 500 status error, or, failing
/// that too, with a 500 response, which the generated code takes for an error answer.
pub(crate) async fn carry(err: Error) -> reqwest::Result<reqwest::Response> {
    let chunk: Result<Bytes, Carried> = Err(Carried(err.clone()));
    let body = reqwest::Body::wrap_stream(stream::iter([chunk]));
    let response = reqwest::Response::from(http::Response::new(body));
    match response.bytes().await {
        Err(carrier) => Err(carrier),
        Ok(_) => {
            tracing::error!(error = %err, "uberall-sdk could not carry its error through reqwest");
            let mut response = http::Response::new(reqwest::Body::from(Bytes::new()));
            *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            reqwest::Response::from(response).error_for_status()
        }
    }
}

/// `Error::Decode` for a documented body that does not decode: its status, content type,
/// the decoder's message and an excerpt, with every credential `redactor` knows replaced.
pub(crate) fn decode_failure(failure: &DecodeFailure, redactor: &Redactor<'_>) -> Error {
    Error::Decode(ResponseError::new(
        Some(failure.status),
        failure.content_type().map(|v| redactor.scrub(v.to_owned())),
        excerpt(&failure.body, redactor),
        Some(redactor.scrub(failure.error.to_string())),
        None,
    ))
}

/// The SDK error carried somewhere in `err`'s source chain, if any.
pub(crate) fn carried(err: &(dyn std::error::Error + 'static)) -> Option<Error> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(Carried(inner)) = e.downcast_ref::<Carried>() {
            return Some(inner.clone());
        }
        current = e.source();
    }
    None
}

impl<E: serde::Serialize> From<GeneratedError<E>> for Error {
    /// Converts the error of any generated operation.
    ///
    /// Through a [`Session`](crate::Session), the transport has already turned every answer
    /// that is not the operation's success into the SDK error it carries; the other arms
    /// cover the generated client used on its own.
    fn from(err: GeneratedError<E>) -> Self {
        if let Some(failure) = DecodeFailure::find(&err) {
            // The generated client without a session: no credentials known to redact.
            return decode_failure(failure, &Redactor::default());
        }
        match err {
            GeneratedError::CommunicationError(e)
            | GeneratedError::ResponseBodyError(e)
            | GeneratedError::InvalidUpgrade(e) => {
                // Not through a session: which operation is unknown, so judged as unsafe to repeat.
                carried(&e).unwrap_or_else(|| policy::judged(Error::from_reqwest(e, None), false))
            }
            GeneratedError::ErrorResponse(response) => {
                let http_status = response.status();
                let retry_after = parse_retry_after(response.headers(), SystemTime::now());
                let body = serde_json::to_value(response.into_inner()).unwrap_or(Value::Null);
                let text = |key: &str| body.get(key).and_then(Value::as_str);
                let api = Error::Api(ApiError::new(
                    http_status,
                    Status::from(text("status").unwrap_or_default()),
                    text("errorCode").map(ErrorCode::from),
                    text("message").map(str::to_owned),
                    Vec::new(),
                    retry_after,
                ));
                policy::judged(api, false)
            }
            GeneratedError::InvalidResponsePayload(body, e) => Error::Decode(ResponseError::new(
                None,
                None,
                excerpt(&body, &Redactor::default()),
                Some(e.to_string()),
                None,
            )),
            GeneratedError::UnexpectedResponse(response) => {
                let content_type = response
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let unexpected = Error::UnexpectedStatus(ResponseError::new(
                    Some(response.status()),
                    content_type,
                    String::new(),
                    Some("an HTTP status the operation's docs do not list".to_owned()),
                    parse_retry_after(response.headers(), SystemTime::now()),
                ));
                policy::judged(unexpected, false)
            }
            GeneratedError::InvalidRequest(message) | GeneratedError::Custom(message) => {
                Error::InvalidRequest(message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_carried_error_comes_back_typed() {
        let carrier = carry(Error::SessionEnded).await.unwrap_err();
        assert!(carried(&carrier).is_some_and(|e| e.is_session_ended()));
        let generated: GeneratedError<()> = GeneratedError::CommunicationError(carrier);
        assert!(Error::from(generated).is_session_ended());
    }

    #[test]
    fn generated_error_response_becomes_an_api_error() {
        let envelope =
            serde_json::json!({"status": "NEW_STATUS", "errorCode": "UNKNOWN", "message": "m"});
        let generated = GeneratedError::ErrorResponse(progenitor_client::ResponseValue::new(
            envelope,
            reqwest::StatusCode::CONFLICT,
            reqwest::header::HeaderMap::new(),
        ));
        let err = Error::from(generated);
        assert_eq!(err.http_status(), Some(reqwest::StatusCode::CONFLICT));
        assert_eq!(
            err.status(),
            Some(&Status::Unrecognized("NEW_STATUS".into()))
        );
        assert_eq!(err.error_code(), Some(&ErrorCode::Unknown));
        assert_eq!(err.message(), Some("m"));
    }

    #[test]
    fn invalid_request_names_the_problem() {
        let generated: GeneratedError<()> = GeneratedError::InvalidRequest("id is required".into());
        let err = Error::from(generated);
        assert!(matches!(err, Error::InvalidRequest(_)));
        assert!(err.to_string().contains("id is required"));
    }
}
