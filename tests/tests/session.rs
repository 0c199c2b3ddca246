//! Sessions over real HTTP: an ended session fails at once without sending, concurrent
//! logouts on clones send one request and share its outcome, the scoped form logs out on
//! `Ok`, `Err` and panic, and the idempotence rule for a logout whose earlier attempt may
//! have reached the server.

use std::{
    net::Ipv4Addr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::mpsc;
use uberall_sdk::{
    Client, Error, ErrorCode, LogoutOutcome, RetryConfig, Status,
    mock::{Fault, MockResponse, MockServer},
};
use uberall_tests::{
    Gate, NotifyOnFirstPoll, RawServer, SUCCESS_BODY, fast_retries, http_json, join_all, mock_with,
    refused_addr, write_and_close,
};

#[tokio::test]
async fn a_later_logout_fails_at_once_with_session_ended() {
    let (mock, client) = mock_with(fast_retries()).await;
    let session = client.session(mock.issue_token());
    let earlier_clone = session.clone();
    session.logout().await.expect("first logout");
    let later_clone = session.clone();
    assert_eq!(mock.request_count(), 1);

    // Anything sent now would take this answer and succeed.
    mock.enqueue(MockResponse::logout_success());
    for handle in [&session, &earlier_clone, &later_clone] {
        assert!(handle.is_ended());
        assert!(format!("{handle:?}").contains("ended"), "{handle:?}");
        let err = handle.logout().await.expect_err("the session has ended");
        assert!(
            matches!(err, Error::SessionEnded) && err.is_session_ended(),
            "{err:?}"
        );
        assert!(!err.is_retryable() && !err.is_auth());
        assert_eq!(err.http_status(), None);
    }
    assert_eq!(mock.request_count(), 1, "an ended session sends nothing");
    assert_eq!(mock.pending_responses(), 1);

    // Other sessions of the same client are unaffected.
    client.session(mock.issue_token()).logout().await.unwrap();
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn a_failed_logout_leaves_the_session_live() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    mock.enqueue(MockResponse::api_error(
        409,
        Status::ResourceLocked,
        None,
        "busy",
    ));
    let err = session.logout().await.unwrap_err();
    assert_eq!(err.status(), Some(&Status::ResourceLocked));
    assert!(!session.is_ended());
    assert!(format!("{session:?}").contains("live"), "{session:?}");
    session.logout().await.expect("the retry by hand succeeds");
    assert!(session.is_ended());
    assert_eq!(mock.request_count(), 2);
    assert!(!mock.is_token_live(&token));
}

/// Spawned tasks on a multi-thread runtime. The server holds its answer until every task has
/// polled its logout once, so all of them are in flight together, whatever the scheduling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logouts_on_clones_send_exactly_one_request() {
    const CALLERS: usize = 24;
    let gate = Gate::default();
    let server_gate = gate.clone();
    let server = RawServer::start(Ipv4Addr::LOCALHOST.into(), move |_, stream| {
        let gate = server_gate.clone();
        async move {
            gate.wait().await;
            let body = SUCCESS_BODY.as_bytes();
            write_and_close(stream, &http_json(200, body)).await
        }
    })
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .retry(fast_retries())
        .build()
        .unwrap();
    let session = client.session("shared-token");
    let (polled_tx, mut polled_rx) = mpsc::unbounded_channel();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let session = session.clone();
            let polled = polled_tx.clone();
            tokio::spawn(NotifyOnFirstPoll::new(
                async move { session.logout().await },
                polled,
            ))
        })
        .collect();
    for _ in 0..CALLERS {
        polled_rx.recv().await.expect("every caller polled");
    }
    gate.open();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().expect("shared success"));
    }
    assert_eq!(server.request_count(), 1, "one request for all callers");
    assert!(outcomes.iter().all(|o| *o == outcomes[0]), "{outcomes:?}");
    assert_eq!(
        outcomes[0].redirect_url().map(|u| u.as_str()),
        Some("http://example.com/redirect")
    );
    assert!(session.is_ended());
    assert!(session.logout().await.unwrap_err().is_session_ended());
    assert_eq!(server.request_count(), 1);
}

/// One task polling every clone's logout: the first poll starts them all before any response
/// can be read, so the overlap is certain. Failure is shared too, and leaves the session live.
#[tokio::test]
async fn concurrent_logouts_share_one_failure_then_one_success() {
    const CALLERS: usize = 16;
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    mock.enqueue(MockResponse::api_error(
        409,
        Status::ResourceLocked,
        Some(ErrorCode::Unknown),
        "locked",
    ));
    let results = join_all((0..CALLERS).map(|_| {
        let session = session.clone();
        async move { session.logout().await }
    }))
    .await;
    assert_eq!(mock.request_count(), 1);
    for result in &results {
        let err = result.as_ref().expect_err("shared failure");
        assert_eq!(err.status(), Some(&Status::ResourceLocked));
        assert_eq!(err.error_code(), Some(&ErrorCode::Unknown));
        assert_eq!(err.message(), Some("locked"));
    }
    assert!(!session.is_ended());
    assert!(mock.is_token_live(&token));

    let results: Vec<LogoutOutcome> = join_all((0..CALLERS).map(|_| {
        let session = session.clone();
        async move { session.logout().await.expect("shared success") }
    }))
    .await;
    assert_eq!(mock.request_count(), 2);
    assert!(results.iter().all(|o| *o == results[0]));
    assert!(session.is_ended());
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn scope_logs_out_after_ok() {
    let (mock, client) = mock_with(fast_retries()).await;
    let token = mock.issue_token();
    let scoped = client
        .session(token.as_str())
        .scope(async |session| {
            assert!(!session.is_ended());
            Ok::<_, String>(42)
        })
        .await;
    assert_eq!(scoped.output, Ok(42));
    let outcome = scoped.logout.expect("logout after Ok");
    assert!(outcome.redirect_url().is_some());
    assert_eq!(mock.request_count(), 1);
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn scope_logs_out_after_err() {
    let (mock, client) = mock_with(fast_retries()).await;
    let token = mock.issue_token();
    let scoped = client
        .session(token.as_str())
        .scope(async |_| Err::<(), _>("work failed"))
        .await;
    assert_eq!(scoped.output, Err("work failed"));
    scoped.logout.expect("logout after Err");
    assert_eq!(mock.request_count(), 1);
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn scope_logs_out_after_a_panic_and_the_panic_propagates() {
    let (mock, client) = mock_with(fast_retries()).await;
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    let observer = session.clone();
    let joined = tokio::spawn(session.scope(async |_| -> u32 { panic!("boom in scope") })).await;
    let panic = joined.expect_err("the panic propagates").into_panic();
    assert_eq!(
        panic.downcast_ref::<&str>().copied(),
        Some("boom in scope"),
        "the original payload"
    );
    assert_eq!(mock.request_count(), 1, "the server saw the logout");
    assert_eq!(mock.requests()[0].path(), "/api/users/logout");
    assert!(!mock.is_token_live(&token));
    assert!(observer.is_ended());
}

#[tokio::test]
async fn scope_reports_its_logout_failure_and_the_works_own_logout() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;

    // The logout after the work fails: the output is kept, the failure reported.
    mock.enqueue(MockResponse::api_error(
        409,
        Status::ResourceLocked,
        None,
        "locked",
    ));
    let session = client.session(mock.issue_token());
    let scoped = session.clone().scope(async |_| "done").await;
    assert_eq!(scoped.output, "done");
    assert_eq!(
        scoped.logout.unwrap_err().status(),
        Some(&Status::ResourceLocked)
    );
    assert!(!session.is_ended());

    // The work logs out itself: that outcome is reported and nothing more is sent.
    mock.clear_requests();
    let scoped = client
        .session(mock.issue_token())
        .scope(async |session| session.logout().await.map(|o| o.redirect_url().cloned()))
        .await;
    let from_work = scoped.output.expect("the work's logout");
    assert_eq!(scoped.logout.unwrap().redirect_url().cloned(), from_work);
    assert_eq!(mock.request_count(), 1);

    // A session logged out before the scope: the scope reports that logout, sends nothing.
    mock.clear_requests();
    let session = client.session(mock.issue_token());
    let earlier = session.logout().await.unwrap();
    let scoped = session.scope(async |session| session.is_ended()).await;
    assert!(scoped.output);
    assert_eq!(scoped.logout.unwrap(), earlier);
    assert_eq!(mock.request_count(), 1);
}

/// The retried attempt finds the token gone because the first attempt's response was lost
/// after the server had invalidated it.
#[tokio::test]
async fn a_retry_after_a_lost_response_reports_already_logged_out() {
    let (mock, client) = mock_with(fast_retries()).await;
    let token = mock.issue_token();
    mock.enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    let session = client.session(token.as_str());
    let outcome = session.logout().await.expect("the token is gone, as asked");
    assert!(outcome.was_already_logged_out());
    assert_eq!(outcome.redirect_url(), None);
    assert_eq!(mock.request_count(), 2);
    assert!(!mock.is_token_live(&token));
    assert!(session.is_ended());
}

/// Same rule across calls: the first call failed after its request may have been processed.
#[tokio::test]
async fn a_logout_after_an_interrupted_call_reports_already_logged_out() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    mock.enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    let err = session.logout().await.expect_err("the response was lost");
    assert!(
        matches!(&err, Error::Transport(t) if !t.is_connect()),
        "{err:?}"
    );
    assert!(!session.is_ended());
    assert!(!mock.is_token_live(&token), "the server did log out");

    let outcome = session.logout().await.expect("BAD_ACCESS_TOKEN means done");
    assert!(outcome.was_already_logged_out());
    assert!(session.is_ended());
    assert_eq!(mock.request_count(), 2);
}

/// A timed-out attempt may have been processed too (here the token is revoked to model a
/// server that logged out but answered too late).
#[tokio::test]
async fn a_retry_after_a_timeout_reports_already_logged_out() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(150))
        .retry(fast_retries())
        .build()
        .unwrap();
    let token = mock.issue_token();
    assert!(mock.revoke_token(&token));
    mock.enqueue(MockResponse::logout_success().with_delay(Duration::from_secs(10)));
    let outcome = client.session(token.as_str()).logout().await.unwrap();
    assert!(outcome.was_already_logged_out());
    assert_eq!(mock.request_count(), 2);
}

/// A logout future dropped while its request is at the server may have logged out.
#[tokio::test]
async fn a_logout_after_a_cancelled_one_reports_already_logged_out() {
    let (received_tx, mut received_rx) = mpsc::unbounded_channel();
    let connections = Arc::new(AtomicUsize::new(0));
    let server = RawServer::start(Ipv4Addr::LOCALHOST.into(), move |request, stream| {
        let received = received_tx.clone();
        let first = connections.fetch_add(1, Ordering::SeqCst) == 0;
        async move {
            if first {
                // Held without an answer; the test cancels the caller once it got here.
                let _ = received.send(request);
                std::future::pending::<()>().await;
            }
            let body = br#"{"status":"BAD_ACCESS_TOKEN","message":"invalid token"}"#;
            write_and_close(stream, &http_json(401, body)).await
        }
    })
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let session = client.session("token-in-flight");
    tokio::select! {
        result = session.logout() => {
            panic!("the first logout finished before it was cancelled: {result:?}")
        }
        request = received_rx.recv() => {
            assert_eq!(request.expect("request arrived").path, "/api/users/logout");
        }
    }
    // The cancelled call left the session live, but flagged.
    assert!(!session.is_ended());
    let outcome = session.logout().await.expect("BAD_ACCESS_TOKEN means done");
    assert!(outcome.was_already_logged_out());
    assert_eq!(server.request_count(), 2);
}

/// The documented rule counts only attempts that timed out or lost their connection after
/// sending. An uberall error envelope is a definite "not done": a `BAD_ACCESS_TOKEN` after it
/// is the server's verdict on the token (here one it never issued), not evidence of a logout.
#[tokio::test]
async fn bad_access_token_after_an_api_error_answer_is_an_error() {
    // Within one call: a retried QUOTA_LIMIT_EXCEED, then BAD_ACCESS_TOKEN.
    let (mock, client) = mock_with(fast_retries()).await;
    mock.enqueue(MockResponse::api_error(
        429,
        Status::QuotaLimitExceed,
        None,
        "slow down",
    ));
    let result = client.session("never-issued-token").logout().await;
    assert_eq!(mock.request_count(), 2);
    assert!(
        matches!(&result, Err(err) if err.status() == Some(&Status::BadAccessToken)),
        "a token the server never issued was reported logged out: {result:?}"
    );

    // Across calls: RESOURCE_LOCKED, then BAD_ACCESS_TOKEN.
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let session = client.session("never-issued-token");
    mock.enqueue(MockResponse::api_error(
        409,
        Status::ResourceLocked,
        None,
        "locked",
    ));
    assert!(session.logout().await.is_err());
    let result = session.logout().await;
    assert_eq!(mock.request_count(), 2);
    assert!(
        matches!(&result, Err(err) if err.status() == Some(&Status::BadAccessToken)),
        "a token the server never issued was reported logged out: {result:?}"
    );
}

/// A bare 5xx (a gateway's page, no uberall envelope) may hide a logout the API performed;
/// a bare 429 is a refusal.
#[tokio::test]
async fn bad_access_token_after_a_gateway_error_counts_but_after_a_bare_429_does_not() {
    let (mock, client) = mock_with(fast_retries()).await;
    for (answer, already) in [
        (
            MockResponse::new(502)
                .with_content_type("text/html")
                .with_body("<html>Bad Gateway</html>"),
            true,
        ),
        (MockResponse::new(504), true),
        (MockResponse::new(429), false),
    ] {
        mock.clear_requests();
        mock.enqueue(answer);
        let result = client.session("never-issued-token").logout().await;
        assert_eq!(mock.request_count(), 2);
        if already {
            assert!(
                result
                    .as_ref()
                    .is_ok_and(LogoutOutcome::was_already_logged_out),
                "{result:?}"
            );
        } else {
            assert!(
                matches!(&result, Err(err) if err.status() == Some(&Status::BadAccessToken)),
                "{result:?}"
            );
        }
    }
}

/// A `Session::scope` future dropped before its work finished logs out in the background.
#[tokio::test]
async fn a_cancelled_scope_still_logs_out() {
    let (received_tx, mut received_rx) = mpsc::unbounded_channel();
    let server = RawServer::start(Ipv4Addr::LOCALHOST.into(), move |request, stream| {
        let received = received_tx.clone();
        async move {
            let _ = received.send(request);
            write_and_close(stream, &http_json(200, SUCCESS_BODY.as_bytes())).await
        }
    })
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let session = client.session("scoped-token");
    let scope = session
        .clone()
        .scope(async |_| std::future::pending::<()>().await);
    // Poll the scope once (its work starts and waits forever), then drop it.
    tokio::select! {
        biased;
        _ = scope => panic!("the work never finishes"),
        () = std::future::ready(()) => {}
    }
    let request = tokio::time::timeout(Duration::from_secs(10), received_rx.recv())
        .await
        .expect("the background logout reached the server")
        .unwrap();
    assert_eq!(request.path, "/api/users/logout");
    assert_eq!(request.header("authorization"), Some("Bearer scoped-token"));
}

#[tokio::test]
async fn bad_access_token_with_no_earlier_attempt_is_an_error() {
    let (mock, client) = mock_with(fast_retries()).await;
    let session = client.session("never-issued-token");
    let err = session
        .logout()
        .await
        .expect_err("the token was never valid");
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
    assert!(err.is_auth() && !err.is_retryable());
    assert_eq!(mock.request_count(), 1);
    assert!(!session.is_ended());
}

/// A refused connection proves the request was not sent: a later `BAD_ACCESS_TOKEN` is the
/// server's verdict on the token, not evidence of an earlier logout.
#[tokio::test]
async fn bad_access_token_after_a_refused_connection_is_an_error() {
    let addr = refused_addr();
    let client = Client::builder()
        .base_url(format!("http://{addr}/api"))
        .retry(fast_retries())
        .build()
        .unwrap();
    let session = client.session("token-never-sent");
    let err = session.logout().await.expect_err("nothing listens");
    assert!(
        matches!(&err, Error::Transport(t) if t.is_connect()),
        "{err:?}"
    );

    // Now a server answers on that very address.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("rebind the refused port");
    let server = RawServer::serve(listener, |_, stream| async move {
        let body = br#"{"status":"BAD_ACCESS_TOKEN","message":"invalid token"}"#;
        write_and_close(stream, &http_json(401, body)).await
    });
    let err = session
        .logout()
        .await
        .expect_err("no earlier attempt reached the server");
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
    assert_eq!(server.request_count(), 1);
    assert!(!session.is_ended());
}
