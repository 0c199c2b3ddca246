//! The SDK against its embedded mock, for what the workspace's `tests/` crate (the full
//! integration suite, real HTTP on loopback) does not reach from outside: a cancelled logout
//! leader handing over to a waiter, and the mock's own emulation of refused credentials.

use std::time::Duration;

use serde_json::json;

use crate::{
    Client, RetryConfig, Status,
    mock::{MockResponse, MockServer},
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
