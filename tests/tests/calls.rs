//! Any generated operation through a session (`Session::api`): the session's credentials and
//! ended state, the overall deadline against a server that never answers, scrubbing of every
//! form a credential can be echoed in, and the per-attempt span recording each field once.

use std::{
    collections::HashMap,
    net::Ipv4Addr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tracing::{
    Subscriber,
    field::{Field, Visit},
    span,
};
use tracing_subscriber::{Layer, layer::Context, prelude::*, registry::LookupSpan};
use uberall_sdk::{
    Error, RetryConfig, Status,
    mock::{MockResponse, MockServer},
};
use uberall_tests::{RawServer, mock_with, retries};

#[tokio::test]
async fn a_generated_operation_through_the_session_sends_its_credentials() {
    let mock = MockServer::start().await.unwrap();
    let session = mock.client().unwrap().session(mock.issue_token());
    let envelope = session
        .api()
        .post_users_logout()
        .send()
        .await
        .expect("the generated call succeeds through the session")
        .into_inner();
    assert_eq!(envelope.status, Status::Success);
    let request = mock.requests().pop().expect("one request");
    assert!(
        request
            .header("authorization")
            .is_some_and(|v| v.starts_with("Bearer mock-token-"))
    );
    assert_eq!(request.header("x-api-key"), mock.api_key());
    assert!(
        request
            .header("user-agent")
            .is_some_and(|v| v.starts_with("uberall-sdk/"))
    );
}

#[tokio::test]
async fn an_ended_session_fails_every_operation_without_sending() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let session = client.session(mock.issue_token());
    session.logout().await.unwrap();
    let sent = mock.request_count();
    let err = Error::from(session.api().post_users_logout().send().await.unwrap_err());
    assert!(err.is_session_ended(), "{err:?}");
    assert_eq!(mock.request_count(), sent, "nothing was sent");
}

#[tokio::test]
async fn generated_errors_convert_with_the_envelope() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    mock.enqueue(MockResponse::api_error(
        409,
        Status::Unrecognized("BRAND_NEW".into()),
        Some(uberall_sdk::ErrorCode::LimitReached),
        "slow down",
    ));
    let session = client.session(mock.issue_token());
    let call = async || -> uberall_sdk::Result<()> {
        session.api().post_users_logout().send().await?;
        Ok(())
    };
    let err = call().await.unwrap_err();
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(409));
    assert_eq!(
        err.status(),
        Some(&Status::Unrecognized("BRAND_NEW".into()))
    );
    assert_eq!(
        err.error_code(),
        Some(&uberall_sdk::ErrorCode::LimitReached)
    );
    assert_eq!(err.message(), Some("slow down"));
}

/// A server that reads each request and never answers.
async fn silent_server() -> RawServer {
    RawServer::start(Ipv4Addr::LOCALHOST.into(), |_, stream| async move {
        let _keep_open = stream;
        std::future::pending::<std::io::Result<()>>().await
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let server = silent_server().await;
    // Ten attempts of 250 ms would take 2.5 s; the 600 ms deadline ends the call first.
    let client = uberall_sdk::Client::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_millis(250))
        .deadline(Duration::from_millis(600))
        .retry(retries(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.session("token").logout().await.unwrap_err();
    let elapsed = started.elapsed();
    let Error::Timeout(timeout) = &err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert!(timeout.is_deadline(), "{err}");
    assert_eq!(timeout.limit(), Duration::from_millis(600));
    assert!(!err.is_retryable(), "the call's own time is up");
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2_000), "{elapsed:?}");
    let attempts = server.request_count();
    assert!((2..=3).contains(&attempts), "{attempts} attempts");
}

#[tokio::test]
async fn an_attempt_timeout_says_so() {
    let server = silent_server().await;
    let client = uberall_sdk::Client::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_millis(150))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let err = client.session("token").logout().await.unwrap_err();
    let Error::Timeout(timeout) = &err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert!(!timeout.is_deadline(), "{err}");
    assert_eq!(timeout.limit(), Duration::from_millis(150));
    assert!(err.to_string().contains("attempt"), "{err}");
}

#[tokio::test]
async fn every_echoed_form_of_a_credential_is_scrubbed() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = "tok/en+with=signs";
    mock.add_token(token);
    let session = client.session(token);
    for (name, body) in [
        (
            "unrecognized status",
            format!(r#"{{"status":"BAD_{token}","message":"m"}}"#),
        ),
        (
            "unrecognized errorCode",
            format!(r#"{{"status":"ERROR","errorCode":"{token}"}}"#),
        ),
        (
            "JSON-escaped slash",
            format!(
                r#"{{"status":"ERROR","message":"{}"}}"#,
                token.replace('/', "\\/")
            ),
        ),
        (
            "percent-encoded",
            r#"{"status":"ERROR","message":"tok%2Fen%2Bwith%3Dsigns"}"#.to_owned(),
        ),
    ] {
        mock.enqueue(
            MockResponse::new(400)
                .with_content_type("application/json")
                .with_body(body),
        );
        let err = session.logout().await.unwrap_err();
        let text = format!("{err}\n{err:?}");
        assert!(!text.contains("tok/en"), "{name}: {text}");
        assert!(
            !text.contains("tok%2Fen") && !text.contains("tok\\/en"),
            "{name}: {text}"
        );
        assert!(text.contains("[REDACTED]"), "{name}: {text}");
    }
}

/// Counts, per span, how often each field receives a value (at creation or later). Span ids
/// are reused once a span closes, so each new span gets its own entry.
#[derive(Clone, Default)]
struct FieldCounts(Arc<Mutex<Vec<SpanFields>>>, Arc<Mutex<HashMap<u64, usize>>>);

/// A span's name and how often each of its fields was recorded.
type SpanFields = (String, HashMap<String, usize>);

struct Counter<'a>(&'a mut HashMap<String, usize>);

impl Visit for Counter<'_> {
    fn record_debug(&mut self, field: &Field, _: &dyn std::fmt::Debug) {
        *self.0.entry(field.name().to_owned()).or_default() += 1;
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for FieldCounts {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, _: Context<'_, S>) {
        let mut counts = HashMap::new();
        attrs.record(&mut Counter(&mut counts));
        let mut spans = self.0.lock().unwrap();
        spans.push((attrs.metadata().name().to_owned(), counts));
        let index = spans.len() - 1;
        drop(spans);
        self.1.lock().unwrap().insert(id.into_u64(), index);
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, _: Context<'_, S>) {
        let Some(&index) = self.1.lock().unwrap().get(&id.into_u64()) else {
            return;
        };
        if let Some((_, counts)) = self.0.lock().unwrap().get_mut(index) {
            values.record(&mut Counter(counts));
        }
    }
}

#[test]
fn the_request_span_records_each_field_once() {
    let counts = FieldCounts::default();
    let subscriber = tracing_subscriber::registry().with(counts.clone());
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let scenario = || async {
            let (mock, client) = mock_with(retries(2)).await;
            let session = client.session(mock.issue_token());
            // An error answer with a status, then a success: both attempts record all fields.
            mock.enqueue(MockResponse::api_error(
                503,
                Status::ServerError,
                None,
                "down",
            ));
            session.logout().await.unwrap();
        };
        // Tests running in parallel without a subscriber can leave a stale "never" interest
        // cached for a callsite they register while this subscriber is being created.
        // Register every callsite once, recompute interest, then count.
        runtime.block_on(scenario());
        tracing::callsite::rebuild_interest_cache();
        counts.0.lock().unwrap().clear();
        runtime.block_on(scenario());
    });
    let spans = counts.0.lock().unwrap();
    let requests: Vec<_> = spans
        .iter()
        .filter(|(name, _)| name == "uberall.request")
        .collect();
    assert_eq!(requests.len(), 2, "one span per attempt");
    for (_, fields) in &requests {
        for field in [
            "uberall.operation",
            "uberall.attempt",
            "http.request.method",
            "http.route",
            "server.address",
            "server.port",
            "http.response.status_code",
            "duration_us",
        ] {
            assert_eq!(fields.get(field), Some(&1), "{field}: {fields:?}");
        }
    }
    assert_eq!(requests[0].1.get("error.type"), Some(&1));
    assert_eq!(requests[1].1.get("error.type"), None);
}

#[tokio::test]
async fn limits_too_far_away_to_represent_mean_no_limit() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .timeout(Duration::MAX)
        .deadline(Duration::MAX)
        .retry(
            RetryConfig::default()
                .with_max_retry_after(Duration::MAX)
                .with_max_backoff(Duration::MAX)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    // A retry (with Retry-After: 0) and a success: nothing overflows on the way.
    mock.enqueue(MockResponse::new(503).with_header("Retry-After", "0"));
    client.session(mock.issue_token()).logout().await.unwrap();
    assert_eq!(mock.request_count(), 2);
}

/// The README's observability setup, writing into a buffer: one line per request (each
/// attempt, and a call refused locally), carrying the span's fields, and nothing from hyper.
#[test]
fn the_readme_subscriber_prints_one_line_per_request() {
    use tracing_subscriber::{filter::Targets, fmt::format::FmtSpan};
    let capture = uberall_tests::Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish()
        .with(Targets::new().with_target("uberall_sdk", tracing::Level::INFO));
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let scenario = || async {
            let (mock, client) = mock_with(retries(2)).await;
            let session = client.session(mock.issue_token());
            mock.enqueue(MockResponse::api_error(
                503,
                Status::ServerError,
                None,
                "down",
            ));
            session.logout().await.unwrap();
            assert!(session.logout().await.unwrap_err().is_session_ended());
        };
        // See `the_request_span_records_each_field_once` on the interest cache.
        runtime.block_on(scenario());
        tracing::callsite::rebuild_interest_cache();
        capture.clear();
        runtime.block_on(scenario());
    });
    let output = capture.contents();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 3, "two attempts and one refusal:\n{output}");
    for line in &lines {
        assert!(line.contains(" INFO uberall.request{"), "{line}");
        assert!(line.contains("http.request.method=\"POST\""), "{line}");
        assert!(line.contains("http.route=\"/users/logout\""), "{line}");
        assert!(line.contains("server.address=\"127.0.0.1\""), "{line}");
    }
    assert!(
        lines[0].contains("http.response.status_code=503"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("uberall.attempt=1"), "{}", lines[0]);
    assert!(
        lines[1].contains("http.response.status_code=200"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("uberall.attempt=2") && lines[1].contains("duration_us="));
    assert!(
        lines[2].contains("error.type=\"session_ended\""),
        "{}",
        lines[2]
    );
}

/// A call refused locally for a credential the client does not hold leaves the same trace as
/// a refusal after logout: one `uberall.request` span with the operation's route and its
/// `error.type`, and nothing is sent.
#[test]
fn a_missing_credential_leaves_a_refusal_trace() {
    use tracing_subscriber::{filter::Targets, fmt::format::FmtSpan};
    let capture = uberall_tests::Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish()
        .with(Targets::new().with_target("uberall_sdk", tracing::Level::INFO));
    let requests = tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let scenario = || async {
            let mock = uberall_sdk::mock::MockServer::start().await.unwrap();
            // No API key and no session: logout accepts X-API-KEY or Authorization.
            let keyless = uberall_sdk::Client::builder()
                .base_url(mock.base_url())
                .build()
                .unwrap();
            let err = keyless.api().post_users_logout().send().await.unwrap_err();
            assert!(uberall_sdk::Error::from(err).is_missing_credential());
            mock.request_count()
        };
        // See `the_request_span_records_each_field_once` on the interest cache.
        runtime.block_on(scenario());
        tracing::callsite::rebuild_interest_cache();
        capture.clear();
        runtime.block_on(scenario())
    });
    assert_eq!(requests, 0, "nothing is sent");
    let output = capture.contents();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 1, "one refusal:\n{output}");
    for expected in [
        " INFO uberall.request{",
        "http.request.method=\"POST\"",
        "http.route=\"/users/logout\"",
        "uberall.operation=\"post_users_logout\"",
        "error.type=\"missing_credential\"",
    ] {
        assert!(lines[0].contains(expected), "{expected} in {}", lines[0]);
    }
}
