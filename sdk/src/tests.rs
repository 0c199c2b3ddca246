//! The SDK against the embedded mock: real HTTP on loopback.
//!
//! These pin the behaviour the rest of the crate promises (single-flight logout, the scoped
//! form, retries, redirects, caps, secrets). The workspace's `tests/` crate covers the API
//! surface more broadly.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::json;

use crate::{
    AuthScheme, Client, Error, ErrorCode, RetryConfig, Status,
    mock::{Fault, MockResponse, MockServer},
};

fn fast_retries() -> RetryConfig {
    RetryConfig::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_max_retry_after(Duration::from_millis(50))
}

async fn mock_and_client() -> (MockServer, Client) {
    let mock = MockServer::start().await.unwrap();
    let client = mock.client_builder().retry(fast_retries()).build().unwrap();
    (mock, client)
}

#[tokio::test]
async fn logout_sends_credentials_and_ends_every_clone() {
    let (mock, client) = mock_and_client().await;
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    let clone = session.clone();

    let outcome = session.logout().await.unwrap();
    assert_eq!(
        outcome.redirect_url().unwrap().as_str(),
        "http://example.com/redirect"
    );
    assert!(!outcome.was_already_logged_out());
    assert!(!mock.is_token_live(&token));

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(request.path(), "/api/users/logout");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(request.header("x-api-key"), mock.api_key());
    assert_eq!(request.header("user-agent"), Some(crate::USER_AGENT));
    assert!(!format!("{request:?}").contains(&token));

    assert!(clone.is_ended());
    let started = Instant::now();
    assert!(matches!(clone.logout().await, Err(Error::SessionEnded)));
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(mock.request_count(), 1, "an ended session sends nothing");
}

#[tokio::test]
async fn bare_auth_scheme_sends_the_token_alone() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .auth_scheme(AuthScheme::Bare)
        .build()
        .unwrap();
    let token = mock.issue_token();
    client.session(token.as_str()).logout().await.unwrap();
    assert_eq!(
        mock.requests()[0].header("authorization"),
        Some(token.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logouts_send_one_request_and_share_its_outcome() {
    let (mock, client) = mock_and_client().await;
    mock.enqueue(MockResponse::passthrough().with_delay(Duration::from_millis(300)));
    let session = client.session(mock.issue_token());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.logout().await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    assert_eq!(mock.request_count(), 1);
    assert!(outcomes.windows(2).all(|pair| pair[0] == pair[1]));
    assert!(session.is_ended());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logouts_share_a_failure_and_can_try_again() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    mock.enqueue(
        MockResponse::api_error(
            409,
            Status::ResourceLocked,
            Some(ErrorCode::Unknown),
            "busy",
        )
        .with_delay(Duration::from_millis(100)),
    );
    let session = client.session(mock.issue_token());
    let clone = session.clone();
    let (a, b) = tokio::join!(session.logout(), clone.logout());
    assert_eq!(a.unwrap_err().status(), Some(&Status::ResourceLocked));
    assert_eq!(b.unwrap_err().error_code(), Some(&ErrorCode::Unknown));
    assert_eq!(mock.request_count(), 1);
    assert!(!session.is_ended());
    session.logout().await.unwrap();
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn cancelled_leader_hands_the_logout_to_a_waiter() {
    let (mock, client) = mock_and_client().await;
    mock.enqueue(MockResponse::passthrough().with_delay(Duration::from_secs(30)));
    let session = client.session(mock.issue_token());
    let leader = session.clone();
    let waiter = session.clone();
    let waiting = tokio::spawn(async move { waiter.logout().await });
    // The leader gives up while its request hangs; the waiter must take over.
    let _ = tokio::time::timeout(Duration::from_millis(100), leader.logout()).await;
    let outcome = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("waiter finished")
        .unwrap()
        .unwrap();
    assert!(!outcome.was_already_logged_out());
    assert!(session.is_ended());
}

#[tokio::test]
async fn scope_logs_out_after_ok_err_and_panic() {
    let (mock, client) = mock_and_client().await;

    let token = mock.issue_token();
    let scoped = client
        .session(token.as_str())
        .scope(async |_session| Ok::<_, String>(42))
        .await;
    assert_eq!(scoped.output, Ok(42));
    assert!(scoped.logout.is_ok());
    assert!(!mock.is_token_live(&token));

    let token = mock.issue_token();
    let scoped = client
        .session(token.as_str())
        .scope(async |_session| Err::<(), _>("failed"))
        .await;
    assert_eq!(scoped.output, Err("failed"));
    assert!(scoped.logout.is_ok());
    assert!(!mock.is_token_live(&token));

    let token = mock.issue_token();
    let session = client.session(token.as_str());
    let panicked = tokio::spawn(session.scope(async |_session| -> () { panic!("boom") })).await;
    assert!(panicked.unwrap_err().is_panic());
    assert!(!mock.is_token_live(&token));

    // Work that logs out itself: the scope reports that outcome and sends nothing more.
    let token = mock.issue_token();
    let before = mock.request_count();
    let scoped = client
        .session(token.as_str())
        .scope(async |session| session.logout().await.is_ok())
        .await;
    assert!(scoped.output);
    assert!(scoped.logout.is_ok());
    assert_eq!(mock.request_count(), before + 1);
}

#[tokio::test]
async fn cancelled_scope_logs_out_in_the_background() {
    let (mock, client) = mock_and_client().await;
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    let scope = session.scope(async |_session| tokio::time::sleep(Duration::from_secs(30)).await);
    assert!(
        tokio::time::timeout(Duration::from_millis(50), scope)
            .await
            .is_err()
    );
    for _ in 0..100 {
        if !mock.is_token_live(&token) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the cancelled scope did not log out");
}

#[tokio::test]
async fn transient_failures_are_retried_and_auth_failures_are_not() {
    let (mock, client) = mock_and_client().await;
    mock.enqueue(
        MockResponse::new(503)
            .with_content_type("text/html")
            .with_body("<html>down</html>"),
    );
    mock.enqueue(MockResponse::api_error(
        429,
        Status::QuotaLimitExceed,
        None,
        "slow down",
    ));
    mock.enqueue(MockResponse::passthrough());
    client.session(mock.issue_token()).logout().await.unwrap();
    assert_eq!(mock.request_count(), 3);

    mock.clear_requests();
    let err = client.session("unknown-token").logout().await.unwrap_err();
    assert!(err.is_auth() && !err.is_retryable());
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
    assert_eq!(mock.request_count(), 1);

    mock.clear_requests();
    for _ in 0..3 {
        mock.enqueue(MockResponse::new(502));
    }
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(e) if e.http_status() == 502),
        "{err:?}"
    );
    assert_eq!(mock.request_count(), 3, "max_attempts bounds the retries");

    mock.clear_requests();
    mock.enqueue(MockResponse::new(503));
    let no_retry = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    assert!(no_retry.session(mock.issue_token()).logout().await.is_err());
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_the_cap() {
    let (mock, client) = mock_and_client().await;
    // 30 s asked, 50 ms cap: the retry waits the cap, not the backoff, not 30 s.
    mock.enqueue(MockResponse::new(429).with_header("Retry-After", "30"));
    let started = Instant::now();
    client.session(mock.issue_token()).logout().await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn slow_server_times_out() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(100))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    mock.enqueue(MockResponse::passthrough().with_delay(Duration::from_secs(5)));
    let started = Instant::now();
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(err.is_timeout() && err.is_retryable(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn connection_refused_is_a_retryable_connect_error() {
    let mock = MockServer::start().await.unwrap();
    let base_url = mock.base_url().to_owned();
    drop(mock);
    let client = Client::builder()
        .base_url(base_url)
        .retry(fast_retries())
        .build()
        .unwrap();
    let err = client.session("token").logout().await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.is_connect());
    assert!(err.is_retryable());
    assert!(err.to_string().contains("could not connect"));
}

#[tokio::test]
async fn lost_response_then_bad_access_token_counts_as_logged_out() {
    let (mock, client) = mock_and_client().await;
    let token = mock.issue_token();
    mock.enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    let outcome = client.session(token.as_str()).logout().await.unwrap();
    assert!(outcome.was_already_logged_out());
    assert_eq!(mock.request_count(), 2);
    assert!(!mock.is_token_live(&token));

    // Same across calls: the first call gives up, the second learns the token is gone.
    let token = mock.issue_token();
    mock.enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    let no_retry = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let session = no_retry.session(token.as_str());
    assert!(
        session.logout().await.is_err(),
        "the lost answer is reported"
    );
    let outcome = session.logout().await.unwrap();
    assert!(
        outcome.was_already_logged_out(),
        "a later call applies the rule too"
    );

    // An answer from the API itself says nothing happened: BAD_ACCESS_TOKEN afterwards is
    // an error, not a success.
    let token = mock.issue_token();
    mock.enqueue(MockResponse::api_error(
        409,
        Status::ResourceLocked,
        None,
        "busy",
    ));
    let session = no_retry.session(token.as_str());
    assert!(session.logout().await.is_err());
    mock.revoke_token(&token);
    let err = session.logout().await.unwrap_err();
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
}

#[tokio::test]
async fn truncated_and_oversized_bodies_are_clear_errors() {
    let (mock, _) = mock_and_client().await;
    let client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    mock.enqueue(MockResponse::logout_success().with_fault(Fault::TruncateBody));
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");

    let big = vec![b' '; 2 * 1024 * 1024];
    mock.enqueue(
        MockResponse::new(200)
            .with_content_type("application/json")
            .with_body(big),
    );
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == crate::DEFAULT_MAX_RESPONSE_BYTES),
        "{err:?}"
    );
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    let (mock, client) = mock_and_client().await;
    let other = MockServer::builder().no_api_key().start().await.unwrap();
    let elsewhere = format!("http://localhost:{}/api/users/logout", other.addr().port());
    mock.enqueue(MockResponse::new(307).with_header("Location", elsewhere));
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(e) if e.http_status() == 307),
        "{err:?}"
    );
    assert_eq!(
        other.request_count(),
        0,
        "no credentials left the configured origin"
    );
}

#[tokio::test]
async fn answers_from_another_origin_via_a_caller_client_are_rejected() {
    let (mock, _) = mock_and_client().await;
    let other = MockServer::builder().no_api_key().start().await.unwrap();
    let elsewhere = format!("http://localhost:{}/api/users/logout", other.addr().port());
    mock.enqueue(MockResponse::new(307).with_header("Location", elsewhere));
    other.enqueue(MockResponse::logout_success());
    // reqwest's default policy follows the redirect; the SDK must not take that answer.
    let client = mock
        .client_builder()
        .http_client(reqwest::Client::new())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(e) if e.detail().unwrap().contains("another origin")),
        "{err:?}"
    );
    assert_eq!(other.request_count(), 1);
}

#[tokio::test]
async fn server_text_is_scrubbed_of_credentials() {
    let (mock, client) = mock_and_client().await;
    let token = mock.issue_token();
    let api_key = mock.api_key().unwrap().to_owned();
    mock.enqueue(MockResponse::api_error(
        400,
        Status::InvalidParameter,
        None,
        format!("bad token {token} for key {api_key}"),
    ));
    mock.enqueue(
        MockResponse::new(500)
            .with_content_type("text/html")
            .with_body(format!(
                "<pre>Authorization: Bearer {token}\nX-API-KEY: {api_key}</pre>"
            )),
    );
    let session = client.session(token.as_str());
    for _ in 0..2 {
        let err = session.logout().await.unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains(&token) && !text.contains(&api_key), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");
    }
}

#[test]
fn traces_carry_attempt_fields_and_no_secrets() {
    use tracing_subscriber::fmt::format::FmtSpan;

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let scenario = || async {
        let (mock, client) = mock_and_client().await;
        let token = mock.issue_token();
        mock.enqueue(MockResponse::api_error(
            429,
            Status::QuotaLimitExceed,
            None,
            token.clone(),
        ));
        let session = client.session(token.as_str());
        session.logout().await.unwrap();
        let _ = session.logout().await;
        let _ = client.session("never-valid").logout().await;
        (token, mock.api_key().unwrap().to_owned())
    };
    let (token, api_key) = tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Tests running in parallel without a subscriber can leave a stale "never" interest
        // cached for a callsite they register concurrently with this subscriber. Register
        // every callsite first, then recompute interest, then capture for real.
        runtime.block_on(scenario());
        tracing::callsite::rebuild_interest_cache();
        capture.0.lock().unwrap().clear();
        runtime.block_on(scenario())
    });
    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(output.contains("uberall.request"), "{output}");
    assert!(
        output.contains("operation=\"post_users_logout\""),
        "{output}"
    );
    assert!(output.contains("attempt=2"), "{output}");
    assert!(output.contains("http.status=200"), "{output}");
    assert!(output.contains("elapsed_ms="), "{output}");
    assert!(output.contains("retrying uberall request"), "{output}");
    assert!(!output.contains(&token), "{output}");
    assert!(!output.contains(&api_key), "{output}");
}

#[tokio::test]
async fn mock_answers_wrong_credentials_like_the_api() {
    let mock = MockServer::start().await.unwrap();
    let wrong_key = Client::builder()
        .base_url(mock.base_url())
        .api_key("wrong")
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let err = wrong_key
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(&Status::BadPrivateKey));
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(401));

    mock.enqueue(MockResponse::json(
        200,
        &json!({"status": "SUCCESS", "response": {"success": true}, "new": [1]}),
    ));
    let outcome = mock
        .client()
        .unwrap()
        .session("any")
        .logout()
        .await
        .unwrap();
    assert_eq!(outcome.redirect_url(), None);
}
