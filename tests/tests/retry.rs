//! Retries, timeouts and transport failures, counted on the server side.
//!
//! Transient answers (HTTP 429/502/503/504, status `QUOTA_LIMIT_EXCEED`) and transport
//! failures are retried up to the configured attempt cap, honouring `Retry-After` in seconds
//! and as an HTTP date (a wait beyond its cap is not retried); disabled retries send exactly one request; auth,
//! validation and other errors are never retried. Slow servers hit the per-attempt timeout
//! (while waiting for the head or for the body); a refused connection is a connect error.

use std::{
    net::Ipv4Addr,
    time::{Duration, Instant, SystemTime},
};

use serde_json::json;
use uberall_sdk::{
    Client, Error, RetryConfig, Status,
    mock::{Fault, MockResponse, MockServer},
};
use uberall_tests::{
    RawServer, fast_retries, http_date, mock_with, refused_addr, response_head, retries,
};

/// Transient answers, each paired with the HTTP status it comes with.
fn transient_answers() -> Vec<(&'static str, u16, MockResponse)> {
    vec![
        ("429 without a body", 429, MockResponse::new(429)),
        (
            "502 HTML",
            502,
            MockResponse::new(502)
                .with_content_type("text/html")
                .with_body("<html>Bad Gateway</html>"),
        ),
        (
            "503 HTML",
            503,
            MockResponse::new(503)
                .with_content_type("text/html")
                .with_body("<html>Service Unavailable</html>"),
        ),
        ("504 without a body", 504, MockResponse::new(504)),
        (
            "503 SERVER_ERROR envelope",
            503,
            MockResponse::api_error(503, Status::ServerError, None, "down"),
        ),
        (
            "429 QUOTA_LIMIT_EXCEED",
            429,
            MockResponse::api_error(429, Status::QuotaLimitExceed, None, "slow down"),
        ),
        (
            "200 QUOTA_LIMIT_EXCEED",
            200,
            MockResponse::json(
                200,
                &json!({"status": "QUOTA_LIMIT_EXCEED", "message": "slow down", "response": {}}),
            ),
        ),
        (
            "400 QUOTA_LIMIT_EXCEED",
            400,
            MockResponse::api_error(400, Status::QuotaLimitExceed, None, "slow down"),
        ),
    ]
}

#[tokio::test]
async fn transient_failures_are_retried_up_to_the_attempt_cap() {
    let mock = MockServer::start().await.unwrap();
    for (name, http, answer) in transient_answers() {
        for (max_attempts, retry) in [
            (1, RetryConfig::disabled()),
            (2, retries(2)),
            (3, retries(3)),
            (5, retries(5)),
        ] {
            let client = mock.client_builder().retry(retry).build().unwrap();
            mock.clear_requests();
            mock.clear_responses();
            // One more failure than allowed: a retry past the cap would consume it.
            for _ in 0..=max_attempts {
                mock.enqueue(answer.clone());
            }
            let err = client
                .session(mock.issue_token())
                .logout()
                .await
                .expect_err("every attempt fails");
            let case = format!("{name}, max_attempts {max_attempts}");
            assert_eq!(mock.request_count(), max_attempts as usize, "{case}");
            assert_eq!(mock.pending_responses(), 1, "{case}");
            assert!(err.is_retryable(), "{case}: {err:?}");
            assert_eq!(err.http_status().map(|s| s.as_u16()), Some(http), "{case}");
        }
    }
}

#[tokio::test]
async fn a_retry_after_transient_failures_can_succeed() {
    let (mock, client) = mock_with(retries(4)).await;
    for (name, _, answer) in transient_answers() {
        mock.clear_requests();
        mock.enqueue(answer.clone());
        mock.enqueue(answer);
        mock.enqueue(MockResponse::passthrough());
        let token = mock.issue_token();
        let outcome = client
            .session(token.as_str())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{name}: {err:?}"));
        assert!(!outcome.was_already_logged_out(), "{name}");
        assert_eq!(mock.request_count(), 3, "{name}");
        assert!(!mock.is_token_live(&token), "{name}");
    }
}

#[tokio::test]
async fn non_transient_failures_are_never_retried() {
    let (mock, client) = mock_with(retries(4)).await;
    let cases = [
        (
            "401 BAD_ACCESS_TOKEN",
            MockResponse::api_error(401, Status::BadAccessToken, None, "expired"),
            true,
        ),
        (
            "401 NOT_AUTHORIZED",
            MockResponse::api_error(401, Status::NotAuthorized, None, "no"),
            true,
        ),
        (
            "403 FORBIDDEN",
            MockResponse::api_error(403, Status::Forbidden, None, "no"),
            true,
        ),
        (
            "401 BAD_PRIVATE_KEY",
            MockResponse::api_error(401, Status::BadPrivateKey, None, "no"),
            true,
        ),
        (
            "200 BAD_ACCESS_TOKEN",
            MockResponse::api_error(200, Status::BadAccessToken, None, "no"),
            true,
        ),
        (
            "503 with a BAD_ACCESS_TOKEN envelope",
            MockResponse::api_error(503, Status::BadAccessToken, None, "no"),
            true,
        ),
        (
            "429 with a BAD_PUBLIC_KEY envelope",
            MockResponse::api_error(429, Status::BadPublicKey, None, "no"),
            true,
        ),
        (
            "401 with Retry-After",
            MockResponse::api_error(401, Status::BadAccessToken, None, "no")
                .with_header("Retry-After", "0"),
            true,
        ),
        ("401 empty", MockResponse::new(401), true),
        (
            "400 INVALID_PARAMETER",
            MockResponse::api_error(400, Status::InvalidParameter, None, "bad"),
            false,
        ),
        (
            "400 MISSING_PARAMETER",
            MockResponse::api_error(400, Status::MissingParameter, None, "bad"),
            false,
        ),
        (
            "400 WRONG_PARAMETER_TYPE with Retry-After",
            MockResponse::api_error(400, Status::WrongParameterType, None, "bad")
                .with_header("Retry-After", "0"),
            false,
        ),
        (
            "409 CONFLICT",
            MockResponse::api_error(409, Status::Conflict, None, "conflict"),
            false,
        ),
        (
            "409 RESOURCE_LOCKED",
            MockResponse::api_error(409, Status::ResourceLocked, None, "locked"),
            false,
        ),
        (
            "404 NOT_FOUND",
            MockResponse::api_error(404, Status::NotFound, None, "gone"),
            false,
        ),
        (
            "500 HTML",
            MockResponse::new(500)
                .with_content_type("text/html")
                .with_body("<html>oops</html>"),
            false,
        ),
        ("501", MockResponse::new(501), false),
        (
            "200 malformed",
            MockResponse::new(200)
                .with_content_type("application/json")
                .with_body("{"),
            false,
        ),
    ];
    for (name, answer, auth) in cases {
        mock.clear_requests();
        mock.clear_responses();
        mock.enqueue(answer);
        // A retry would take this and succeed.
        mock.enqueue(MockResponse::logout_success());
        let err = client
            .session(mock.issue_token())
            .logout()
            .await
            .expect_err(name);
        assert_eq!(mock.request_count(), 1, "{name} was retried");
        assert_eq!(mock.pending_responses(), 1, "{name}");
        assert!(!err.is_retryable(), "{name}: {err:?}");
        assert_eq!(err.is_auth(), auth, "{name}: {err:?}");
    }
}

/// Time between the first two requests the mock received.
fn spacing(mock: &MockServer) -> Duration {
    let requests = mock.requests();
    assert!(requests.len() >= 2, "{} requests", requests.len());
    requests[1].received_at() - requests[0].received_at()
}

#[tokio::test]
async fn retry_after_beyond_its_cap_is_returned_at_once_in_seconds_and_as_a_date() {
    let cap = Duration::from_millis(120);
    let retry = RetryConfig::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(1))
        .with_max_retry_after(cap);
    let (mock, client) = mock_with(retry).await;
    let in_an_hour = http_date(SystemTime::now() + Duration::from_secs(3600));
    for (name, answer) in [
        ("429", MockResponse::new(429)),
        ("503", MockResponse::new(503).with_body("busy")),
        (
            "200 QUOTA_LIMIT_EXCEED",
            MockResponse::api_error(200, Status::QuotaLimitExceed, None, "quota"),
        ),
    ] {
        // A wait beyond the cap is not slept through: one request, the error at once, with
        // the server's wait in it.
        for (retry_after, asked) in [
            ("5", Duration::from_secs(5)),
            (in_an_hour.as_str(), Duration::from_secs(3500)),
        ] {
            mock.clear_requests();
            mock.enqueue(answer.clone().with_header("Retry-After", retry_after));
            let started = Instant::now();
            let err = tokio::time::timeout(
                Duration::from_secs(4),
                client.session(mock.issue_token()).logout(),
            )
            .await
            .unwrap_or_else(|_| panic!("{name} / {retry_after}: waited for the server"))
            .expect_err("no retry beyond the cap");
            assert_eq!(mock.request_count(), 1, "{name} / {retry_after}");
            let wait = err.retry_after().expect("the server's wait is reported");
            assert!(wait >= asked, "{name} / {retry_after}: {wait:?}");
            assert!(started.elapsed() < Duration::from_secs(4));
            assert_eq!(mock.pending_responses(), 0);
        }
        // Within the cap it is waited, then retried.
        mock.clear_requests();
        mock.enqueue(answer.clone().with_header("Retry-After", "0"));
        mock.enqueue(MockResponse::passthrough());
        client
            .session(mock.issue_token())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{name} / 0: {err:?}"));
        assert_eq!(mock.request_count(), 2, "{name} / 0");
        // A date in the past means "retry now".
        mock.clear_requests();
        let an_hour_ago = http_date(SystemTime::now() - Duration::from_secs(3600));
        mock.enqueue(answer.clone().with_header("Retry-After", an_hour_ago));
        mock.enqueue(MockResponse::passthrough());
        client
            .session(mock.issue_token())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{name} / past date: {err:?}"));
        assert_eq!(mock.request_count(), 2, "{name} / past date");
    }
}

#[tokio::test]
async fn an_unreadable_retry_after_falls_back_to_backoff() {
    let (mock, client) = mock_with(retries(2)).await;
    for value in ["soon", "-5", "1.5", ""] {
        mock.clear_requests();
        mock.enqueue(MockResponse::new(503).with_header("Retry-After", value));
        mock.enqueue(MockResponse::passthrough());
        client
            .session(mock.issue_token())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{value:?}: {err:?}"));
        assert_eq!(mock.request_count(), 2, "{value:?}");
    }
}

#[tokio::test]
async fn retry_after_below_its_cap_is_waited_exactly() {
    let retry = RetryConfig::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(1))
        .with_max_retry_after(Duration::from_secs(10));
    let (mock, client) = mock_with(retry).await;
    mock.enqueue(MockResponse::new(503).with_header("Retry-After", "1"));
    mock.enqueue(MockResponse::passthrough());
    client.session(mock.issue_token()).logout().await.unwrap();
    let spacing = spacing(&mock);
    assert!(spacing >= Duration::from_secs(1), "{spacing:?}");
    assert!(
        spacing < Duration::from_secs(8),
        "waited the cap: {spacing:?}"
    );
}

#[tokio::test]
async fn the_final_error_reports_the_servers_retry_after() {
    // `retries(2)` honours Retry-After up to 50 ms: these ask for longer, so each call sends
    // one request and returns the server's wait.
    let (mock, client) = mock_with(retries(2)).await;
    let date = http_date(SystemTime::now() + Duration::from_secs(120));
    for (answer, expected) in [
        (
            MockResponse::api_error(429, Status::QuotaLimitExceed, None, "quota")
                .with_header("Retry-After", "7"),
            Some(Duration::from_secs(7)),
        ),
        (
            MockResponse::new(503).with_header("Retry-After", "7"),
            Some(Duration::from_secs(7)),
        ),
    ] {
        mock.clear_requests();
        mock.enqueue(answer);
        let err = client
            .session(mock.issue_token())
            .logout()
            .await
            .unwrap_err();
        assert_eq!(err.retry_after(), expected, "{err:?}");
        assert_eq!(mock.request_count(), 1);
    }
    // Without the header: retried, and the last error has no wait.
    mock.clear_requests();
    mock.enqueue(MockResponse::new(503));
    mock.enqueue(MockResponse::new(503));
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), None, "{err:?}");
    assert_eq!(mock.request_count(), 2);
    mock.enqueue(MockResponse::new(503).with_header("Retry-After", date.as_str()));
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    let wait = err.retry_after().expect("HTTP date parsed");
    assert!(
        wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
}

#[tokio::test]
async fn a_slow_server_hits_the_per_attempt_timeout() {
    let timeout = Duration::from_millis(150);
    let mock = MockServer::start().await.unwrap();
    let slow = || MockResponse::logout_success().with_delay(Duration::from_secs(10));

    // Retries disabled: one request, a timeout error.
    let client = mock
        .client_builder()
        .timeout(timeout)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    mock.enqueue(slow());
    let started = Instant::now();
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err, Error::Timeout(_)) && err.is_timeout(),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.http_status(), None);
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(mock.request_count(), 1);

    // Retries enabled: every attempt gets its own limit, then the call gives up.
    let client = mock
        .client_builder()
        .timeout(timeout)
        .retry(retries(3))
        .build()
        .unwrap();
    mock.clear_requests();
    for _ in 0..3 {
        mock.enqueue(slow());
    }
    let started = Instant::now();
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(mock.request_count(), 3);
    assert!(started.elapsed() >= timeout * 3);

    // A timeout, then a prompt answer: success.
    mock.clear_requests();
    mock.enqueue(slow());
    mock.enqueue(MockResponse::passthrough());
    let token = mock.issue_token();
    let outcome = client.session(token.as_str()).logout().await.unwrap();
    assert!(!outcome.was_already_logged_out());
    assert_eq!(mock.request_count(), 2);
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn the_timeout_covers_reading_the_body() {
    // The head and part of the body arrive at once, the rest never does.
    let server = RawServer::start(Ipv4Addr::LOCALHOST.into(), |_, mut stream| async move {
        use tokio::io::AsyncWriteExt;
        let mut bytes = response_head(200, &[("content-type", "application/json")]);
        bytes.extend_from_slice(b"content-length: 1000\r\n\r\n{\"status\":\"SUCC");
        stream.write_all(&bytes).await?;
        std::future::pending::<()>().await;
        Ok(())
    })
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(5), client.session("token").logout())
        .await
        .expect("the per-attempt timeout fired")
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn connection_refused_is_a_retryable_connect_error() {
    let addr = refused_addr();
    for retry in [RetryConfig::disabled(), fast_retries()] {
        let client = Client::builder()
            .base_url(format!("http://{addr}/api"))
            .retry(retry)
            .build()
            .unwrap();
        let err = client.session("token").logout().await.unwrap_err();
        let Error::Transport(transport) = &err else {
            panic!("expected Error::Transport, got {err:?}")
        };
        assert!(transport.is_connect(), "{err:?}");
        assert!(transport.reqwest().is_connect());
        assert!(err.is_retryable() && !err.is_timeout() && !err.is_auth());
        assert_eq!(err.http_status(), None);
        assert!(err.to_string().contains("could not connect"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }
}

#[tokio::test]
async fn dropped_connections_and_truncated_bodies_are_retried() {
    let (mock, client) = mock_with(fast_retries()).await;
    for fault in [Fault::CloseConnection, Fault::TruncateBody] {
        // Not processed (or a scripted success that never arrives whole): the retry logs out.
        mock.clear_requests();
        mock.enqueue(MockResponse::logout_success().with_fault(fault));
        mock.enqueue(MockResponse::passthrough());
        let token = mock.issue_token();
        let outcome = client
            .session(token.as_str())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{fault:?}: {err:?}"));
        assert!(!outcome.was_already_logged_out(), "{fault:?}");
        assert_eq!(mock.request_count(), 2, "{fault:?}");
        assert!(!mock.is_token_live(&token));
    }

    // Without retries the fault is the result: a transport error, not a connect error.
    let client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    for fault in [Fault::CloseConnection, Fault::TruncateBody] {
        mock.clear_requests();
        mock.enqueue(MockResponse::logout_success().with_fault(fault));
        let err = client
            .session(mock.issue_token())
            .logout()
            .await
            .unwrap_err();
        let Error::Transport(transport) = &err else {
            panic!("{fault:?}: expected Error::Transport, got {err:?}")
        };
        assert!(!transport.is_connect(), "{fault:?}");
        assert!(err.is_retryable());
        assert_eq!(mock.request_count(), 1);
    }
}
