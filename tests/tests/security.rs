//! What goes on the wire and what never leaks.
//!
//! Headers sent (`Authorization: Bearer <token>` or the bare token, `X-API-KEY` only when
//! configured, `User-Agent: uberall-sdk/<version>`); redirects to another origin not followed,
//! so no credential reaches another host; oversized bodies rejected (with `Content-Length`
//! and chunked, without reading past the cap); clear-text `http://` to a non-loopback host
//! refused at build time unless opted in; and the token and API key never appearing in
//! tracing output (TRACE), `log` records, or the `Debug`/`Display` of clients, sessions,
//! outcomes and errors, even when the server echoes them back.

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::Arc,
    time::Duration,
};

use serde_json::json;
use tokio::io::AsyncWriteExt;
use uberall_sdk::{
    AuthScheme, Client, Error, LogoutOutcome, RetryConfig, Status, USER_AGENT,
    mock::{Fault, MockResponse, MockServer},
};
use uberall_tests::{
    Capture, LAST_CHUNK, LOG_PREFIX, RawServer, SUCCESS_BODY, assert_no_credentials, chunk,
    fast_retries, http_json, mock_with, refused_addr, response_head, write_and_close,
};

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_logout_sends_the_documented_request() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    client.session(token.as_str()).logout().await.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(request.path(), "/api/users/logout");
    assert!(request.body().is_empty(), "logout has no request body");
    let headers = request.headers();
    assert_eq!(headers.get_all("authorization").iter().count(), 1);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(headers.get_all("x-api-key").iter().count(), 1);
    assert_eq!(request.header("x-api-key"), mock.api_key());
    let expected_agent = format!("uberall-sdk/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(USER_AGENT, expected_agent);
    assert_eq!(request.header("user-agent"), Some(expected_agent.as_str()));
    assert!(
        request
            .header("accept")
            .is_some_and(|a| a.contains("application/json")),
        "{:?}",
        request.header("accept")
    );
}

#[tokio::test]
async fn the_bare_token_option_sends_the_token_alone() {
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
    assert!(
        !mock.is_token_live(&token),
        "the mock accepted the bare form"
    );
}

#[tokio::test]
async fn x_api_key_is_sent_only_when_configured() {
    let mock = MockServer::builder().no_api_key().start().await.unwrap();
    let client = Client::builder()
        .base_url(mock.base_url())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let token = mock.issue_token();
    client.session(token.as_str()).logout().await.unwrap();
    let request = &mock.requests()[0];
    assert!(request.headers().get("x-api-key").is_none());
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );

    let with_key = Client::builder()
        .base_url(mock.base_url())
        .api_key("configured-key")
        .build()
        .unwrap();
    with_key.session(mock.issue_token()).logout().await.unwrap();
    assert_eq!(
        mock.requests()[1].header("x-api-key"),
        Some("configured-key")
    );
}

#[tokio::test]
async fn unusable_credentials_are_refused_without_sending_or_echoing_them() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    for token in ["", "has space", "line\nbreak", "naïve-token"] {
        let err = client.session(token).logout().await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{token:?}: {err:?}");
        let text = format!("{err} {err:?}");
        if !token.is_empty() {
            assert!(!text.contains(token), "{text}");
        }
    }
    assert_eq!(mock.request_count(), 0, "nothing was sent");

    let err = Client::builder()
        .api_key("secret key-with-space")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("key-with-space"));
}

// ---------------------------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------------------------

/// Answers any request as a successful logout, recording its headers.
async fn recording_server(ip: IpAddr) -> RawServer {
    RawServer::start(ip, |_, stream| async move {
        write_and_close(stream, &http_json(200, SUCCESS_BODY.as_bytes())).await
    })
    .await
    .expect("bind")
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_credentials() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let here = format!("{}/users/logout", mock.base_url());
    for status in [307, 308] {
        mock.clear_requests();
        mock.enqueue(MockResponse::new(status).with_header("Location", here.as_str()));
        let token = mock.issue_token();
        client
            .session(token.as_str())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{status}: {err:?}"));
        let requests = mock.requests();
        assert_eq!(requests.len(), 2, "{status}: followed once");
        for request in &requests {
            assert_eq!(request.method(), "POST");
            assert!(request.header("authorization").is_some());
            assert_eq!(request.header("x-api-key"), mock.api_key());
        }
        assert!(!mock.is_token_live(&token));
    }
}

#[tokio::test]
async fn a_redirect_loop_stops_after_five_hops() {
    let (mock, client) = mock_with(fast_retries()).await;
    let here = format!("{}/users/logout", mock.base_url());
    for _ in 0..10 {
        mock.enqueue(MockResponse::new(307).with_header("Location", here.as_str()));
    }
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .expect_err("the loop is cut");
    assert!(
        matches!(&err, Error::UnexpectedStatus(e) if e.http_status() == Some(reqwest::StatusCode::TEMPORARY_REDIRECT)),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(mock.request_count(), 6, "the request and five redirects");
}

#[tokio::test]
async fn a_redirect_to_another_host_carries_no_credentials() {
    let (mock, own_client) = mock_with(RetryConfig::disabled()).await;
    // A caller-supplied reqwest client with the SDK's redirect policy behaves the same.
    let supplied_client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .http_client(
            uberall_sdk::reqwest::Client::builder()
                .redirect(uberall_sdk::redirect_policy())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let other_ip = recording_server(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).await;
    let other_port = recording_server(Ipv4Addr::LOCALHOST.into()).await;
    let targets = [
        format!("http://{}/api/users/logout", other_ip.addr()),
        // Same machine, other host name: another origin.
        format!("http://localhost:{}/api/users/logout", mock.addr().port()),
        format!("http://{}/api/users/logout", other_port.addr()),
        format!(
            "http://localhost:{}/api/users/logout",
            other_port.addr().port()
        ),
    ];
    for client in [&own_client, &supplied_client] {
        for target in &targets {
            for status in [301, 302, 303, 307, 308] {
                mock.clear_requests();
                mock.enqueue(MockResponse::new(status).with_header("Location", target.as_str()));
                let err = client
                    .session(mock.issue_token())
                    .logout()
                    .await
                    .expect_err("the redirect is not followed");
                let Error::UnexpectedStatus(unexpected) = &err else {
                    panic!("{status} to {target}: expected UnexpectedStatus, got {err:?}")
                };
                assert_eq!(unexpected.http_status().map(|s| s.as_u16()), Some(status));
                assert!(unexpected.detail().is_some(), "{err}");
                assert_eq!(mock.request_count(), 1, "{status} to {target}");
            }
        }
    }
    assert_no_credentials(&other_ip.requests());
    assert_no_credentials(&other_port.requests());
    assert_eq!(other_ip.request_count(), 0);
    assert_eq!(other_port.request_count(), 0);
}

/// reqwest's own default policy, on a caller-supplied client, follows the redirect (sending
/// `X-API-KEY` there, as the SDK documents); the SDK must still not take the other host's
/// answer for the API's.
#[tokio::test]
async fn an_answer_from_another_origin_is_never_taken_for_the_apis() {
    let mock = MockServer::start().await.unwrap();
    let other = recording_server(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).await;
    let client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .http_client(uberall_sdk::reqwest::Client::new())
        .build()
        .unwrap();
    mock.enqueue(MockResponse::new(307).with_header(
        "Location",
        format!("http://{}/api/users/logout", other.addr()),
    ));
    let session = client.session(mock.issue_token());
    let err = session
        .logout()
        .await
        .expect_err("a success from another host is not a logout");
    assert!(
        matches!(&err, Error::UnexpectedStatus(e) if e.detail().is_some_and(|d| d.contains("redirect_policy"))),
        "{err:?}"
    );
    assert!(!session.is_ended());
    // reqwest itself drops Authorization on a cross-host redirect.
    assert!(
        other
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_none())
    );
}

// ---------------------------------------------------------------------------------------------
// Body cap
// ---------------------------------------------------------------------------------------------

const CAP: usize = 1024;

/// The documented success body padded with spaces to `len` bytes.
fn padded_success(len: usize) -> Vec<u8> {
    let mut body = SUCCESS_BODY.as_bytes().to_vec();
    body.resize(len, b' ');
    body
}

#[track_caller]
fn assert_too_large(result: Result<LogoutOutcome, Error>, http: u16) {
    match result {
        Err(err @ Error::BodyTooLarge { .. }) => {
            let Error::BodyTooLarge {
                http_status, limit, ..
            } = &err
            else {
                unreachable!()
            };
            assert_eq!(http_status.as_u16(), http);
            assert_eq!(*limit, CAP);
            assert!(!err.is_retryable());
            assert!(err.to_string().contains(&CAP.to_string()), "{err}");
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn an_oversized_body_with_content_length_is_rejected() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .retry(fast_retries())
        .max_response_bytes(CAP)
        .build()
        .unwrap();
    let json = |body: Vec<u8>| {
        MockResponse::new(200)
            .with_content_type("application/json")
            .with_body(body)
    };
    mock.enqueue(json(padded_success(CAP)));
    client
        .session(mock.issue_token())
        .logout()
        .await
        .expect("a body of exactly the cap is fine");

    mock.clear_requests();
    mock.enqueue(json(padded_success(CAP + 1)));
    assert_too_large(client.session(mock.issue_token()).logout().await, 200);
    assert_eq!(mock.request_count(), 1, "not retried");

    mock.enqueue(
        MockResponse::new(500)
            .with_content_type("text/html")
            .with_body(vec![b'x'; 4 * CAP]),
    );
    assert_too_large(client.session(mock.issue_token()).logout().await, 500);
}

/// A server that sends `body` chunked, in pieces of `piece` bytes.
async fn chunked_server(body: Vec<u8>, piece: usize) -> RawServer {
    let body = Arc::new(body);
    RawServer::start(Ipv4Addr::LOCALHOST.into(), move |_, mut stream| {
        let body = Arc::clone(&body);
        async move {
            let mut head = response_head(200, &[("content-type", "application/json")]);
            head.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
            stream.write_all(&head).await?;
            for part in body.chunks(piece) {
                stream.write_all(&chunk(part)).await?;
                stream.flush().await?;
            }
            write_and_close(stream, LAST_CHUNK).await
        }
    })
    .await
    .unwrap()
}

fn capped_client(base_url: String) -> Client {
    Client::builder()
        .base_url(base_url)
        .retry(RetryConfig::disabled())
        .max_response_bytes(CAP)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_oversized_chunked_body_is_rejected() {
    let fits = chunked_server(padded_success(CAP), 100).await;
    capped_client(fits.base_url())
        .session("token")
        .logout()
        .await
        .expect("exactly the cap, chunked, is fine");

    let over = chunked_server(padded_success(CAP + 1), 100).await;
    assert_too_large(
        capped_client(over.base_url())
            .session("token")
            .logout()
            .await,
        200,
    );
    let one_big_chunk = chunked_server(padded_success(64 * CAP), 64 * CAP).await;
    assert_too_large(
        capped_client(one_big_chunk.base_url())
            .session("token")
            .logout()
            .await,
        200,
    );
}

#[tokio::test]
async fn the_body_is_not_read_past_the_cap() {
    // Announces 10 MB and sends nothing: the announcement alone is enough to refuse.
    let announced = RawServer::start(Ipv4Addr::LOCALHOST.into(), |_, mut stream| async move {
        let mut head = response_head(200, &[("content-type", "application/json")]);
        head.extend_from_slice(b"content-length: 10000000\r\n\r\n");
        stream.write_all(&head).await?;
        std::future::pending::<()>().await;
        Ok(())
    })
    .await
    .unwrap();
    // Never ends: chunks until the client goes away.
    let endless = RawServer::start(Ipv4Addr::LOCALHOST.into(), |_, mut stream| async move {
        let mut head = response_head(200, &[("content-type", "application/json")]);
        head.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
        stream.write_all(&head).await?;
        let piece = chunk(&[b' '; 512]);
        loop {
            stream.write_all(&piece).await?;
        }
    })
    .await
    .unwrap();
    for server in [&announced, &endless] {
        // The client's own timeout is the default 30 s; this guard is far below it.
        let result = tokio::time::timeout(
            Duration::from_secs(10),
            capped_client(server.base_url()).session("token").logout(),
        )
        .await
        .expect("refused without reading the whole body");
        assert_too_large(result, 200);
    }
}

// ---------------------------------------------------------------------------------------------
// Clear text
// ---------------------------------------------------------------------------------------------

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_at_build_time() {
    for url in [
        "http://uberall.com/api",
        "http://sandbox.uberall.com/api",
        "http://10.0.0.1/api",
        "http://192.168.1.10:8080/api",
        "http://localhost.evil.example/api",
        "http://127.0.0.1.nip.io/api",
        "http://[2001:db8::1]/api",
    ] {
        let err = Client::builder().base_url(url).build().unwrap_err();
        let Error::Config(config) = &err else {
            panic!("{url}: expected Error::Config, got {err:?}")
        };
        assert!(
            config.message().contains("allow_insecure_http"),
            "{url}: the remedy is named: {err}"
        );
        let client = Client::builder()
            .base_url(url)
            .allow_insecure_http(true)
            .build()
            .unwrap_or_else(|err| panic!("{url} with the opt-in: {err}"));
        assert_eq!(client.base_url().scheme(), "http");
    }
    for url in [
        "https://uberall.com/api",
        "https://sandbox.uberall.com/api",
        "http://127.0.0.1:8080/api",
        "http://127.3.2.1/api",
        "http://localhost:8080/api",
        "http://[::1]:8080/api",
    ] {
        Client::builder()
            .base_url(url)
            .build()
            .unwrap_or_else(|err| panic!("{url}: {err}"));
    }
    // The default is production over TLS.
    let client = Client::builder().build().unwrap();
    assert_eq!(client.base_url().as_str(), uberall_sdk::PRODUCTION_BASE_URL);
    // Credentials in the URL are refused and never echoed.
    let err = Client::builder()
        .base_url("http://user:hunter2@10.0.0.1/api")
        .allow_insecure_http(true)
        .build()
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Secrets in output
// ---------------------------------------------------------------------------------------------

/// `Display`, alternate `Debug` and the source chain of a result.
fn describe<T: std::fmt::Debug>(result: &Result<T, Error>) -> String {
    let mut out = format!("{result:#?}");
    if let Err(err) = result {
        out.push_str(&format!("\n{err}"));
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            out.push_str(&format!("\ncaused by: {cause} / {cause:?}"));
            source = cause.source();
        }
    }
    out
}

/// Secret strings to look for: each whole, and its random part alone.
fn needles(secrets: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for secret in secrets {
        out.push(secret.clone());
        for prefix in ["mock-token-", "mock-api-key-"] {
            if let Some(random) = secret.strip_prefix(prefix) {
                out.push(random.to_owned());
            }
        }
    }
    out
}

#[track_caller]
fn assert_free_of(text: &str, secrets: &[String]) {
    for needle in needles(secrets) {
        assert!(
            !text.contains(&needle),
            "secret {needle:?} found in:\n{text}"
        );
    }
}

#[tokio::test]
async fn server_text_echoing_credentials_is_scrubbed_from_errors() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    let key = mock.api_key().unwrap().to_owned();
    let echo = format!("Authorization: Bearer {token} X-API-KEY: {key}");
    let answers = [
        MockResponse::api_error(400, Status::InvalidParameter, None, echo.as_str()),
        MockResponse::json(
            200,
            &json!({"status": "BAD_REQUEST", "message": echo, "response": {}}),
        ),
        MockResponse::new(500)
            .with_content_type("text/html")
            .with_body(format!("<pre>{echo}</pre>")),
        MockResponse::new(200)
            .with_content_type("application/json")
            .with_body(format!("{{\"status\":\"SUCCESS\",\"echo\":\"{echo}")),
        MockResponse::new(401)
            .with_content_type(format!("text/plain; token={token}; key={key}"))
            .with_body("denied"),
    ];
    let session = client.session(token.as_str());
    for answer in answers {
        mock.enqueue(answer);
        let result = session.logout().await;
        assert!(result.is_err());
        let text = describe(&result);
        assert_free_of(&text, &[token.clone(), key.clone()]);
        assert!(text.contains("[REDACTED]"), "{text}");
    }
}

#[tokio::test]
async fn warnings_echoing_credentials_are_scrubbed_from_errors() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    let key = mock.api_key().unwrap().to_owned();
    mock.enqueue(MockResponse::json(
        200,
        &json!({
            "status": "BAD_REQUEST",
            "warnings": [format!("token {token}"), {"apiKey": key}],
            "response": {}
        }),
    ));
    let result = client.session(token.as_str()).logout().await;
    let Err(Error::Api(api)) = &result else {
        panic!("expected Error::Api, got {result:?}")
    };
    assert_eq!(api.warnings().len(), 2);
    let text = format!("{}\n{:?}", describe(&result), api.warnings());
    assert_free_of(&text, &[token, key]);
}

#[tokio::test]
async fn a_logout_outcome_echoing_credentials_shows_neither() {
    let (mock, client) = mock_with(RetryConfig::disabled()).await;
    let token = mock.issue_token();
    let key = mock.api_key().unwrap().to_owned();
    mock.enqueue(MockResponse::json(
        200,
        &json!({
            "status": "SUCCESS",
            "message": format!("logged out {token}"),
            "warnings": [format!("key {key}")],
            "response": {"success": true}
        }),
    ));
    let outcome = client.session(token.as_str()).logout().await.unwrap();
    let text = format!(
        "{outcome:?} {:?} {:?}",
        outcome.message(),
        outcome.warnings()
    );
    assert_free_of(&text, &[token, key]);
}

struct Scenario {
    secrets: Vec<String>,
    texts: Vec<String>,
}

/// Exercises every path that formats or traces something: success after a retry, an ended
/// session, an undocumented status, a decode error, a non-success 200, a bad token, a
/// timeout, a lost response, the bare scheme, a refused connection, a redirect, a scope.
/// The server echoes the credentials wherever it can.
async fn scenario() -> Scenario {
    let mock = MockServer::start().await.unwrap();
    let key = mock.api_key().unwrap().to_owned();
    let builder = mock.client_builder().retry(fast_retries());
    let mut texts = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    texts.push(format!("{client:?} / {client:#?}"));
    let mut secrets = vec![key.clone()];
    let mut token = || {
        let token = mock.issue_token();
        secrets.push(token.clone());
        token
    };

    // Success after a retried QUOTA_LIMIT_EXCEED whose message echoes both secrets.
    let t1 = token();
    let session = client.session(t1.as_str());
    texts.push(format!("{session:?}"));
    mock.enqueue(
        MockResponse::api_error(
            429,
            Status::QuotaLimitExceed,
            None,
            format!("quota for {t1} / {key}"),
        )
        .with_header("Retry-After", "0"),
    );
    texts.push(describe(&session.logout().await));
    texts.push(format!("{session:?}"));
    texts.push(describe(&session.logout().await));

    // Errors whose bodies echo the secrets.
    let t2 = token();
    let session = client.session(t2.as_str());
    mock.enqueue(
        MockResponse::new(500)
            .with_content_type("text/html")
            .with_body(format!(
                "<pre>Authorization: Bearer {t2}\nX-API-KEY: {key}</pre>"
            )),
    );
    texts.push(describe(&session.logout().await));
    mock.enqueue(
        MockResponse::new(200)
            .with_content_type("application/json")
            .with_body(format!(
                "{{\"status\":\"SUCCESS\",\"token\":\"{t2}\",\"key\":\"{key}"
            )),
    );
    texts.push(describe(&session.logout().await));
    mock.enqueue(MockResponse::api_error(
        200,
        Status::BadRequest,
        None,
        format!("{t2} {key}"),
    ));
    texts.push(describe(&session.logout().await));

    // A token the server does not know.
    let never_valid = token();
    assert!(mock.revoke_token(&never_valid));
    texts.push(describe(
        &client.session(never_valid.as_str()).logout().await,
    ));

    // A timeout.
    let t3 = token();
    let slow = mock
        .client_builder()
        .timeout(Duration::from_millis(100))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    mock.enqueue(MockResponse::logout_success().with_delay(Duration::from_secs(10)));
    texts.push(describe(&slow.session(t3.as_str()).logout().await));

    // A lost response, then "already logged out".
    let t4 = token();
    mock.enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    texts.push(describe(&client.session(t4.as_str()).logout().await));

    // The bare scheme.
    let t5 = token();
    let bare = mock
        .client_builder()
        .auth_scheme(AuthScheme::Bare)
        .build()
        .unwrap();
    texts.push(format!("{bare:?}"));
    texts.push(describe(&bare.session(t5.as_str()).logout().await));

    // A refused connection.
    let t6 = token();
    let refused = Client::builder()
        .base_url(format!("http://{}/api", refused_addr()))
        .api_key(key.as_str())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    texts.push(describe(&refused.session(t6.as_str()).logout().await));

    // A redirect to another host.
    let t7 = token();
    mock.enqueue(MockResponse::new(302).with_header(
        "Location",
        format!("http://localhost:{}/elsewhere", mock.addr().port()),
    ));
    texts.push(describe(&client.session(t7.as_str()).logout().await));

    // The scoped form.
    let t8 = token();
    let scoped = client
        .session(t8.as_str())
        .scope(async |session| format!("{session:?}"))
        .await;
    texts.push(format!("{scoped:?}"));

    Scenario { secrets, texts }
}

/// Runs the scenario under a fmt subscriber at TRACE (and a `log` logger) writing into one
/// buffer, and scans it and every formatted value for the secrets. The capture must show the
/// request spans with their fields, or the scan would prove nothing.
#[test]
fn traces_logs_and_formatted_values_never_contain_credentials() {
    let capture = Capture::default();
    assert!(
        capture.install_as_logger(),
        "no other logger in this binary"
    );
    let Scenario { secrets, texts } =
        tracing::subscriber::with_default(capture.subscriber(), || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            // Tests running in parallel without a subscriber can leave a stale "never"
            // interest cached for a callsite they register while this subscriber is being
            // created. Register every callsite once, recompute interest, then capture.
            runtime.block_on(scenario());
            tracing::callsite::rebuild_interest_cache();
            capture.clear();
            runtime.block_on(scenario())
        });
    let output = capture.contents();

    for expected in [
        "uberall.request",
        "uberall.operation=\"post_users_logout\"",
        "uberall.attempt=1",
        "uberall.attempt=2",
        "http.response.status_code=429",
        "http.response.status_code=200",
        "http.response.status_code=500",
        "http.response.status_code=401",
        "http.response.status_code=302",
        "duration_us=",
        "error.type=\"timeout\"",
        "error.type=\"transport\"",
        "error.type=\"api\"",
        "error.type=\"unexpected_status\"",
        "error.type=\"session_ended\"",
        "retrying uberall request",
    ] {
        assert!(
            output.contains(expected),
            "the capture lacks {expected:?}:\n{output}"
        );
    }
    assert!(
        output
            .lines()
            .any(|line| line.starts_with(LOG_PREFIX) && line.contains("reqwest")),
        "the capture holds no `log` record from reqwest:\n{output}"
    );
    assert_eq!(secrets.len(), 10);
    assert_free_of(&output, &secrets);
    assert_free_of(&texts.join("\n"), &secrets);
    // The formatted values are not empty either: the errors were described.
    let texts = texts.join("\n");
    for expected in [
        "SessionEnded",
        "Timeout",
        "Transport",
        "UnexpectedStatus",
        "[REDACTED]",
    ] {
        assert!(texts.contains(expected), "{expected} missing:\n{texts}");
    }
}

/// Redaction is for what is shown, never for the data handed back: with credentials whose
/// text is everywhere in a body (`t`, `1`, `true`, `e`), the documented success decodes
/// exactly as sent, through `Session::api` and through `logout`.
#[tokio::test]
async fn credentials_inside_the_data_leave_it_intact() {
    for secret in ["t", "1", "true", "e"] {
        let mock = MockServer::builder().api_key(secret).start().await.unwrap();
        let body = serde_json::json!({"status": "SUCCESS", "response": {"success": true,
            "redirectUrl": "http://example.com/redirect?t=1&true=e"}});
        mock.on("post_users_logout")
            .enqueue(MockResponse::json(200, &body))
            .enqueue(MockResponse::json(200, &body));
        let client = mock
            .client_builder()
            .retry(RetryConfig::disabled())
            .build()
            .unwrap();
        mock.add_token(secret);
        let envelope = client
            .session(secret)
            .api()
            .post_users_logout()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{secret}: {e}"))
            .into_inner();
        assert_eq!(envelope.status, Status::Success, "{secret}");
        assert_eq!(envelope.response.success, Some(true), "{secret}");
        assert_eq!(
            envelope.response.redirect_url.as_deref(),
            Some("http://example.com/redirect?t=1&true=e"),
            "{secret}"
        );
        mock.add_token(secret);
        let outcome = client.session(secret).logout().await.unwrap();
        assert_eq!(
            outcome.redirect_url().map(|u| u.as_str()),
            Some("http://example.com/redirect?t=1&true=e"),
            "{secret}"
        );
    }
}
