//! The policy of every call, in one place: what a response means (the operation's success or
//! which [`Error`]), and whether a failed attempt is tried again.
//!
//! The rules are the same for every operation; what differs between operations is data in
//! the generated `uberall_client::operations` table (the statuses its docs describe, whether
//! sending it twice is safe). [`Error`] only carries what happened; the verdict of
//! [`Error::is_retryable`] is set here, once the operation is known.

use std::time::Duration;

use reqwest::header::LOCATION;
use uberall_client::{operations::Operation, types::ErrorEnvelope};

use crate::{
    Status,
    error::Error,
    response::{self, Buffered},
    retry::RetryConfig,
    secret::Redactor,
};

/// HTTP statuses that say "try again": rate limited, or a gateway or the API unavailable.
const TRANSIENT: [u16; 4] = [429, 502, 503, 504];
/// Of those, the ones where the server refused the request without processing it.
const REFUSED_UNPROCESSED: [u16; 2] = [429, 503];
/// How a success envelope begins as the API writes it (`status` first, no whitespace).
const SUCCESS_PREFIX: &[u8] = br#"{"status":"SUCCESS""#;
/// HTTP statuses that refuse the credentials.
const AUTH: [u16; 2] = [401, 403];

/// Whether the credentials were refused (see [`Error::is_auth`]).
pub(crate) fn is_auth(err: &Error) -> bool {
    match err {
        Error::Api(e) => {
            (AUTH.contains(&e.http_status().as_u16()) && e.status() != &Status::QuotaLimitExceed)
                || matches!(
                    e.status(),
                    Status::NotAuthorized
                        | Status::Forbidden
                        | Status::BadAccessToken
                        | Status::BadPrivateKey
                        | Status::BadPublicKey
                )
        }
        Error::Decode(e) | Error::UnexpectedStatus(e) => {
            e.http_status().is_some_and(|s| AUTH.contains(&s.as_u16()))
        }
        _ => false,
    }
}

/// Whether the API rejected the access token in a way that shows the call did nothing: a
/// `401` whose envelope says `BAD_ACCESS_TOKEN` (the request was refused at the door). Only
/// then may a session log in again and send the call once more.
pub(crate) fn is_rejected_token(err: &Error) -> bool {
    matches!(err, Error::Api(e) if e.http_status() == reqwest::StatusCode::UNAUTHORIZED
        && e.status() == &Status::BadAccessToken)
}

/// Says, on a 401 to an operation whose doc declares no security, that no credential was
/// sent, and why: the published page may lack its `Security:` line.
pub(crate) fn explain_unsecured_refusal(err: Error, operation: Option<&Operation>) -> Error {
    const NOTE: &str = "no credential header was sent because the operation's doc declares no \
                        security; if it needs one, its doc may lack a `Security:` line";
    match err {
        Error::Api(e)
            if e.http_status() == reqwest::StatusCode::UNAUTHORIZED
                && operation.is_some_and(|op| op.security.is_empty()) =>
        {
            Error::Api(e.with_note(NOTE))
        }
        err => err,
    }
}

/// Whether the same request may succeed a little later: connect errors, attempt timeouts,
/// dropped connections, [`TRANSIENT`] statuses, status `QUOTA_LIMIT_EXCEED`.
fn is_transient(err: &Error) -> bool {
    if is_auth(err) {
        return false;
    }
    match err {
        Error::Api(e) => {
            TRANSIENT.contains(&e.http_status().as_u16()) || e.status() == &Status::QuotaLimitExceed
        }
        Error::UnexpectedStatus(e) => e
            .http_status()
            .is_some_and(|s| TRANSIENT.contains(&s.as_u16())),
        Error::Timeout(e) => !e.is_deadline(),
        Error::Transport(_) => true,
        Error::SessionEnded
        | Error::Decode(_)
        | Error::BodyTooLarge { .. }
        | Error::Config(_)
        | Error::InvalidRequest(_)
        | Error::MissingCredential(_) => false,
    }
}

/// Whether the server certainly did not process the request: it was never sent (the
/// connection failed), or the server refused it and asked for a retry.
fn certainly_unprocessed(err: &Error) -> bool {
    match err {
        Error::Transport(e) => e.is_connect(),
        Error::Timeout(e) => e.is_connect(),
        Error::Api(e) => {
            REFUSED_UNPROCESSED.contains(&e.http_status().as_u16())
                || e.status() == &Status::QuotaLimitExceed
        }
        Error::UnexpectedStatus(e) => e
            .http_status()
            .is_some_and(|s| REFUSED_UNPROCESSED.contains(&s.as_u16())),
        _ => false,
    }
}

/// Whether the server may have processed the request although this error came back: the
/// answer was lost (timeout or dropped connection after sending), unreadable, or came from a
/// gateway in front of the API (5xx without the uberall envelope). An answer in the API's own
/// envelope, a failure to connect, or a local refusal says it did not.
pub(crate) fn maybe_processed(err: &Error) -> bool {
    match err {
        Error::Timeout(e) => !e.is_connect(),
        Error::Transport(e) => !e.is_connect(),
        Error::Decode(_) | Error::BodyTooLarge { .. } => true,
        Error::UnexpectedStatus(e) => e.http_status().is_none_or(|s| s.is_server_error()),
        Error::Api(_)
        | Error::SessionEnded
        | Error::Config(_)
        | Error::InvalidRequest(_)
        | Error::MissingCredential(_) => false,
    }
}

/// `err` with its [`Error::is_retryable`] verdict for an operation that is (or is not)
/// idempotent: transient, and either safe to repeat or certainly not processed.
pub(crate) fn judged(mut err: Error, idempotent: bool) -> Error {
    let retryable = is_transient(&err) && (idempotent || certainly_unprocessed(&err));
    err.set_retryable(retryable);
    err
}

/// The wait before retry number `retry` (1 = the first retry) after a [`judged`] `err`, or
/// `None` when there is none: not retryable, attempts used up, or a `Retry-After` beyond the
/// cap. `unit` is a uniform random number in `[0, 1)`, passed in to keep this pure.
pub(crate) fn retry_delay(
    config: &RetryConfig,
    err: &Error,
    retry: u32,
    unit: f64,
) -> Option<Duration> {
    if retry >= config.max_attempts() || !err.is_retryable() {
        return None;
    }
    match err.retry_after() {
        Some(wait) if wait > config.max_retry_after() => None,
        Some(wait) => Some(wait),
        None => Some(config.backoff(retry, unit)),
    }
}

/// `Ok` when the response is the operation's success, to be decoded by the generated code;
/// otherwise the error it is.
///
/// * A 2xx the operation documents: an error when its envelope `status` is not `SUCCESS`
///   ([`Error::Api`]: the API reports some errors with HTTP 200), or when the body is not
///   JSON at all ([`Error::Decode`]; an empty body passes only where the docs describe none).
/// * Any other status: [`Error::Api`] when the body is the uberall error envelope (the API
///   also sends it with 429 and 5xx); otherwise [`Error::Decode`] when the operation's docs
///   describe that status, [`Error::UnexpectedStatus`] when they don't.
pub(crate) fn classify(
    response: &Buffered,
    operation: Option<&Operation>,
    redactor: &Redactor<'_>,
) -> Result<(), Error> {
    let code = response.status.as_u16();
    let documented = operation.is_some_and(|op| op.documents(code));
    if response.status.is_success() && documented {
        // The usual answer, decided without a scan: the envelope's (first) `status` is
        // `SUCCESS`. Should the rest not decode, the generated decoding reports it through
        // `Transport::decode_error`, with the status at hand (`Error::Decode`).
        if response.body.starts_with(SUCCESS_PREFIX) {
            return Ok(());
        }
        return match response::envelope_status(&response.body) {
            Ok(Some(status)) if status != Status::Success.as_str() => {
                let envelope = serde_json::from_slice::<ErrorEnvelope>(&response.body)
                    .unwrap_or_else(|_| response::status_only(status.into_owned()));
                // Only 2xx envelopes carry `warnings`.
                let warnings = serde_json::from_slice::<response::Warnings>(&response.body)
                    .map(|w| w.warnings)
                    .unwrap_or_default();
                Err(response::api_error(response, envelope, warnings, redactor))
            }
            Ok(_) => Ok(()),
            Err(response::NotJson)
                if response.body.is_empty() && !documents_json_body(operation, code) =>
            {
                Ok(())
            }
            Err(response::NotJson) => Err(Error::Decode(response::summary(
                response,
                Some("the body is not JSON".to_owned()),
                redactor,
            ))),
        };
    }
    Err(
        match serde_json::from_slice::<ErrorEnvelope>(&response.body) {
            // An undocumented 2xx saying SUCCESS is not an error answer, just not one the docs
            // describe; any other envelope is the API's error answer.
            Ok(envelope) if !response.status.is_success() || envelope.status != Status::Success => {
                response::api_error(response, envelope, Vec::new(), redactor)
            }
            // (A documented 2xx returned above, so a documented status here has no envelope.)
            Err(err) if documented => {
                Error::Decode(response::summary(response, Some(err.to_string()), redactor))
            }
            Ok(_) | Err(_) => {
                let detail = (response.status.is_redirection()
                    && response.headers.contains_key(LOCATION))
                .then(|| {
                    "redirect not followed: the SDK follows only 307/308 redirects to the same \
                 origin, so credentials never reach another host"
                        .to_owned()
                });
                Error::UnexpectedStatus(response::summary(response, detail, redactor))
            }
        },
    )
}

/// Whether the docs describe a JSON body for this status of the operation.
fn documents_json_body(operation: Option<&Operation>, code: u16) -> bool {
    operation
        .and_then(|op| op.example)
        .is_some_and(|(status, _)| status == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ErrorCode,
        error::{ApiError, ConfigError, ResponseError, TimeoutError},
    };
    use bytes::Bytes;
    use reqwest::{
        StatusCode,
        header::{CONTENT_TYPE, HeaderMap, HeaderValue},
    };
    use uberall_client::operations::POST_USERS_LOGOUT;

    fn api(http: u16, status: Status, retry_after: Option<u64>) -> Error {
        Error::Api(ApiError::new(
            StatusCode::from_u16(http).unwrap(),
            status,
            None,
            Some("msg".into()),
            Vec::new(),
            retry_after.map(Duration::from_secs),
        ))
    }

    fn unexpected(http: u16) -> Error {
        Error::UnexpectedStatus(ResponseError::new(
            Some(StatusCode::from_u16(http).unwrap()),
            Some("text/html".into()),
            "<html>".into(),
            None,
            None,
        ))
    }

    fn retryable(err: Error, idempotent: bool) -> bool {
        judged(err, idempotent).is_retryable()
    }

    #[test]
    fn transient_failures_are_retryable_for_an_idempotent_operation() {
        assert!(retryable(api(429, Status::QuotaLimitExceed, None), true));
        assert!(retryable(api(200, Status::QuotaLimitExceed, None), true));
        assert!(retryable(api(503, Status::ServerError, None), true));
        assert!(!retryable(api(500, Status::ServerError, None), true));
        assert!(!retryable(api(400, Status::InvalidParameter, None), true));
        assert!(!retryable(api(409, Status::Conflict, None), true));
        // Auth wins over a transient HTTP status.
        assert!(!retryable(api(503, Status::BadAccessToken, None), true));
        for http in TRANSIENT {
            assert!(retryable(unexpected(http), true), "{http}");
        }
        for http in [500, 501, 302, 418] {
            assert!(!retryable(unexpected(http), true), "{http}");
        }
        assert!(!retryable(Error::SessionEnded, true));
        assert!(!retryable(Error::Config(ConfigError::new("x")), true));
        let too_large = Error::BodyTooLarge {
            http_status: StatusCode::OK,
            limit: 1,
        };
        assert!(!retryable(too_large, true));
        let deadline = Error::Timeout(TimeoutError::deadline(Duration::from_secs(1)));
        assert!(!retryable(deadline, true));
    }

    #[test]
    fn a_non_idempotent_operation_is_retryable_only_when_certainly_unprocessed() {
        for (err, post_retryable) in [
            (api(429, Status::QuotaLimitExceed, None), true),
            (api(503, Status::ServerError, None), true),
            (api(200, Status::QuotaLimitExceed, None), true),
            (api(502, Status::ServerError, None), false),
            (api(504, Status::ServerError, None), false),
            (unexpected(503), true),
            (unexpected(502), false),
        ] {
            assert!(retryable(err.clone(), true), "{err}");
            assert_eq!(retryable(err.clone(), false), post_retryable, "{err}");
        }
    }

    #[test]
    fn auth_classification() {
        for status in [
            Status::NotAuthorized,
            Status::Forbidden,
            Status::BadAccessToken,
            Status::BadPrivateKey,
            Status::BadPublicKey,
        ] {
            assert!(api(400, status.clone(), None).is_auth(), "{status}");
            assert!(api(200, status, None).is_auth());
        }
        assert!(api(401, Status::Unrecognized("NEW".into()), None).is_auth());
        assert!(unexpected(401).is_auth());
        assert!(!api(400, Status::MissingParameter, None).is_auth());
        assert!(!unexpected(502).is_auth());
        // A quota answer behind a 401/403 is about the quota, not the credentials.
        for http in AUTH {
            let quota = api(http, Status::QuotaLimitExceed, None);
            assert!(!quota.is_auth(), "{http}");
            assert!(retryable(quota, true), "{http}");
        }
    }

    #[test]
    fn retry_after_replaces_backoff_and_beyond_the_cap_stops_retrying() {
        let config = RetryConfig::default().with_max_retry_after(Duration::from_secs(10));
        let asked = |secs| judged(api(503, Status::ServerError, Some(secs)), false);
        assert_eq!(
            retry_delay(&config, &asked(3), 1, 0.9),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_delay(&config, &asked(10), 1, 0.9),
            Some(Duration::from_secs(10))
        );
        assert_eq!(retry_delay(&config, &asked(97_200), 1, 0.9), None);
    }

    #[test]
    fn retries_stop_at_max_attempts_and_on_permanent_errors() {
        let config = RetryConfig::default().with_max_attempts(3);
        let busy = judged(api(429, Status::QuotaLimitExceed, None), true);
        assert!(retry_delay(&config, &busy, 2, 0.5).is_some());
        assert!(retry_delay(&config, &busy, 3, 0.5).is_none());
        let invalid = judged(api(400, Status::InvalidParameter, None), true);
        assert!(retry_delay(&config, &invalid, 1, 0.5).is_none());
        assert!(retry_delay(&RetryConfig::disabled(), &busy, 1, 0.5).is_none());
        // A POST 502 is not retried, and says so.
        let gateway = judged(api(502, Status::ServerError, None), false);
        assert!(!gateway.is_retryable());
        assert!(retry_delay(&config, &gateway, 1, 0.5).is_none());
    }

    fn buffered(status: u16, content_type: Option<&str>, body: &str) -> Buffered {
        let mut headers = HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        Buffered {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    fn classified(status: u16, body: &str) -> Result<(), Error> {
        classify(
            &buffered(status, Some("application/json"), body),
            Some(&POST_USERS_LOGOUT),
            &Redactor::default(),
        )
    }

    #[test]
    fn envelope_becomes_api_error_for_any_status() {
        let body = r#"{"status":"BAD_ACCESS_TOKEN","message":"nope","errorCode":"UNKNOWN","x":1}"#;
        for status in [200, 401, 429, 500] {
            let Err(Error::Api(api)) = classified(status, body) else {
                panic!("{status}")
            };
            assert_eq!(api.http_status().as_u16(), status);
            assert_eq!(api.status(), &Status::BadAccessToken);
            assert_eq!(api.error_code(), Some(&ErrorCode::Unknown));
            assert_eq!(api.message(), Some("nope"));
        }
    }

    #[test]
    fn success_envelopes_and_other_json_pass_on() {
        for body in [
            r#"{"status":"SUCCESS","response":{}}"#,
            r#"{"response":{"status":"ERROR"}}"#,
            r#"[{"status":"ERROR"}]"#,
            r#"{"status":7}"#,
        ] {
            classified(200, body).unwrap_or_else(|e| panic!("{body}: {e}"));
        }
        // An empty body passes only where the docs describe none.
        assert!(matches!(classified(200, ""), Err(Error::Decode(_))));
        let no_body = Operation {
            example: None,
            statuses: &[204],
            ..POST_USERS_LOGOUT
        };
        let empty = buffered(204, None, "");
        classify(&empty, Some(&no_body), &Redactor::default()).unwrap();
    }

    #[test]
    fn an_undocumented_2xx_is_unexpected() {
        let err = classified(201, r#"{"status":"SUCCESS","response":{}}"#).unwrap_err();
        assert!(matches!(err, Error::UnexpectedStatus(_)), "{err:?}");
        let err = classified(201, r#"{"status":"ERROR"}"#).unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
    }

    #[test]
    fn a_2xx_that_is_not_json_is_a_decode_error_with_its_status() {
        let err = classified(200, "<html>oops</html>").unwrap_err();
        let Error::Decode(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.http_status(), Some(StatusCode::OK));
        assert_eq!(e.excerpt(), "<html>oops</html>");
    }

    #[test]
    fn non_envelope_bodies_split_by_the_operations_documented_statuses() {
        let html = "<html><body>Bad Gateway</body></html>";
        let err = classified(502, html).unwrap_err();
        let Error::UnexpectedStatus(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.excerpt(), html);
        assert_eq!(e.content_type(), Some("application/json"));
        // 401 is documented for logout: its body should have been the envelope.
        let err = classified(401, "").unwrap_err();
        let Error::Decode(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.excerpt(), "");
        assert!(e.detail().unwrap().contains("EOF"));
        // Without the operation's docs nothing is documented.
        let err = classify(&buffered(401, None, ""), None, &Redactor::default()).unwrap_err();
        assert!(matches!(err, Error::UnexpectedStatus(_)), "{err:?}");
    }
}
