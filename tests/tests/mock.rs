//! The embedded mock serves the spec: routes from the operations table (templated paths
//! included), scripting by operation id (answer, fault, delay), documented examples or 501
//! for unscripted operations, 404/405 for unknown routes, refused credentials, and a request
//! log naming each request's operation. Real HTTP on 127.0.0.1, through the SDK's public API
//! and through a plain reqwest client.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use uberall_client::{
    operations::{self, Operation},
    types::{ErrorEnvelope, PostUsersLogoutEnvelope, PostUsersLogoutResponse},
};
use uberall_sdk::{
    AuthScheme, Error, RetryConfig, Status,
    mock::{Fault, MockResponse, MockServer},
};

const LOGOUT: Operation = operations::POST_USERS_LOGOUT;

/// Operations the spec does not have yet, to route templated paths over HTTP.
static TABLE: &[Operation] = &[
    Operation {
        id: "get_locations_id",
        method: "GET",
        path: "/locations/{id}",
        statuses: &[200, 404],
        example: Some((
            200,
            r#"{"status":"SUCCESS","response":{"location":{"id":1}}}"#,
        )),
        security: &[&["X-API-KEY"], &["Authorization"]],
        idempotent: true,
    },
    Operation {
        id: "delete_locations_id",
        method: "DELETE",
        path: "/locations/{id}",
        statuses: &[200],
        example: None,
        security: &[&["X-API-KEY"], &["Authorization"]],
        idempotent: true,
    },
    Operation {
        id: "get_locations_search",
        method: "GET",
        path: "/locations/search",
        statuses: &[200],
        example: Some((200, r#"{"status":"SUCCESS","response":{"locations":[]}}"#)),
        security: &[&["X-API-KEY"], &["Authorization"]],
        idempotent: true,
    },
    Operation {
        id: "post_locations",
        method: "POST",
        path: "/locations",
        statuses: &[201, 400],
        example: Some((201, r#"{"status":"SUCCESS","response":{"id":7}}"#)),
        security: &[&["X-API-KEY"], &["Authorization"]],
        idempotent: false,
    },
    LOGOUT,
];

/// A plain HTTP client, so that requests the SDK would never send can be made.
struct Raw {
    http: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
    token: Option<String>,
}

struct Answer {
    status: StatusCode,
    allow: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn envelope(&self) -> ErrorEnvelope {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "not an error envelope ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }
}

impl Raw {
    /// With the mock's API key and a fresh token.
    fn authorized(mock: &MockServer) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: mock.base_url().to_owned(),
            api_key: mock.api_key().map(str::to_owned),
            token: Some(mock.issue_token()),
        }
    }

    async fn send(&self, method: Method, path: &str) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        if let Some(key) = &self.api_key {
            request = request.header("X-API-KEY", key);
        }
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.expect("the mock answers");
        Answer {
            status: response.status(),
            allow: response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: response.bytes().await.expect("body").to_vec(),
        }
    }
}

async fn table_mock() -> MockServer {
    MockServer::builder()
        .operations(TABLE)
        .start()
        .await
        .expect("mock starts")
}

fn operation_ids(mock: &MockServer) -> Vec<Option<&'static str>> {
    mock.requests()
        .iter()
        .map(|request| request.operation_id())
        .collect()
}

#[tokio::test]
async fn the_spec_table_is_served_and_unknown_routes_are_404_or_405() {
    let mock = MockServer::start().await.unwrap();
    let raw = Raw::authorized(&mock);

    let logout = raw.send(Method::POST, LOGOUT.path).await;
    assert_eq!(logout.status, StatusCode::OK);
    let envelope: PostUsersLogoutEnvelope = serde_json::from_slice(&logout.body).unwrap();
    assert_eq!(envelope.status, Status::Success);

    let wrong_method = raw.send(Method::GET, LOGOUT.path).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.allow.as_deref(), Some("POST"));
    assert_eq!(
        wrong_method.envelope().status,
        Status::Unrecognized("METHOD_NOT_ALLOWED".into())
    );

    for path in ["/users/logout/extra", "/users", "/nope", "/users/logout/"] {
        let unknown = raw.send(Method::POST, path).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{path}");
        let envelope = unknown.envelope();
        assert_eq!(envelope.status, Status::NotFound, "{path}");
        assert!(
            envelope
                .message
                .as_deref()
                .is_some_and(|m| m.contains(path)),
            "{path}: {envelope:?}"
        );
    }
    // Outside the base path `/api`.
    let outside = raw
        .http
        .post(format!("http://{}{}", mock.addr(), LOGOUT.path))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);

    let ids = operation_ids(&mock);
    assert_eq!(ids.len(), 7);
    assert_eq!(ids[0], Some(LOGOUT.id));
    assert!(ids[1..].iter().all(Option::is_none), "{ids:?}");
}

#[tokio::test]
async fn templated_paths_route_any_segment_value_to_their_operation() {
    let mock = table_mock().await;
    let raw = Raw::authorized(&mock);

    for id in ["1", "9876543210", "a-b_c", "%C3%A9"] {
        let answer = raw.send(Method::GET, &format!("/locations/{id}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{id}");
        assert_eq!(answer.text(), TABLE[0].example.unwrap().1, "{id}");
    }
    // A literal path wins over the template that also matches it.
    let search = raw.send(Method::GET, "/locations/search").await;
    assert_eq!(search.text(), TABLE[2].example.unwrap().1);
    // The template serves DELETE there, since the literal path has no DELETE.
    let delete = raw.send(Method::DELETE, "/locations/search").await;
    assert_eq!(delete.status, StatusCode::NOT_IMPLEMENTED);

    let put = raw.send(Method::PUT, "/locations/5").await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.allow.as_deref(), Some("GET, DELETE"));
    assert_eq!(
        raw.send(Method::GET, "/locations/5/photos").await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        operation_ids(&mock),
        [
            Some("get_locations_id"),
            Some("get_locations_id"),
            Some("get_locations_id"),
            Some("get_locations_id"),
            Some("get_locations_search"),
            Some("delete_locations_id"),
            None,
            None,
        ]
    );
    assert_eq!(mock.on("get_locations_id").requests().len(), 4);
    assert_eq!(mock.requests()[1].path(), "/api/locations/9876543210");
}

#[tokio::test]
async fn an_unscripted_operation_answers_its_documented_example_or_501() {
    let mock = table_mock().await;
    let raw = Raw::authorized(&mock);

    // The documented example with its documented status, not always 200.
    let created = raw.send(Method::POST, "/locations").await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.text(), TABLE[3].example.unwrap().1);

    let missing = raw.send(Method::DELETE, "/locations/3").await;
    assert_eq!(missing.status, StatusCode::NOT_IMPLEMENTED);
    let envelope = missing.envelope();
    assert_eq!(envelope.status, Status::ServerError);
    let message = envelope.message.unwrap();
    assert!(message.contains("`delete_locations_id`"), "{message}");
    assert!(message.contains("DELETE /locations/{id}"), "{message}");

    // The spec's own logout is not its example: it checks and ends the token.
    let token = mock.issue_token();
    let session = mock.client().unwrap().session(token.as_str());
    let envelope = session
        .api()
        .post_users_logout()
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    assert_eq!(envelope.status, Status::Success);
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn the_logout_answer_is_the_configured_redirect() {
    let mock = MockServer::builder()
        .redirect_url("https://example.org/bye")
        .start()
        .await
        .unwrap();
    let session = mock.client().unwrap().session(mock.issue_token());
    let envelope = session
        .api()
        .post_users_logout()
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    assert_eq!(
        envelope.response.redirect_url.as_deref(),
        Some("https://example.org/bye")
    );

    let mock = MockServer::builder()
        .no_redirect_url()
        .start()
        .await
        .unwrap();
    let outcome = mock
        .client()
        .unwrap()
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap();
    assert_eq!(outcome.redirect_url(), None);
}

#[tokio::test]
async fn an_answer_scripted_for_an_operation_is_used_by_that_operation_only() {
    let mock = table_mock().await;
    let raw = Raw::authorized(&mock);
    mock.on("get_locations_id")
        .enqueue(MockResponse::api_error(
            404,
            Status::NotFound,
            None,
            "no such location",
        ))
        .enqueue(MockResponse::new(204));
    assert_eq!(mock.on("get_locations_id").pending(), 2);
    assert_eq!(mock.pending_responses(), 2);

    // Another operation, even on a path the template would match, is not served the script.
    let search = raw.send(Method::GET, "/locations/search").await;
    assert_eq!(search.status, StatusCode::OK);
    let first = raw.send(Method::GET, "/locations/1").await;
    assert_eq!(first.status, StatusCode::NOT_FOUND);
    assert_eq!(
        first.envelope().message.as_deref(),
        Some("no such location")
    );
    assert_eq!(
        raw.send(Method::GET, "/locations/2").await.status,
        StatusCode::NO_CONTENT
    );
    // Script used up: the documented example again.
    assert_eq!(
        raw.send(Method::GET, "/locations/3").await.status,
        StatusCode::OK
    );
    assert_eq!(mock.pending_responses(), 0);

    // Unknown routes take no scripted answer, not even a shared one.
    mock.enqueue(MockResponse::new(418));
    assert_eq!(
        raw.send(Method::GET, "/elsewhere").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(mock.pending_responses(), 1);
    assert_eq!(
        raw.send(Method::POST, "/locations").await.status,
        StatusCode::IM_A_TEAPOT
    );

    // An operation's own queue comes before the shared one.
    mock.enqueue(MockResponse::new(202));
    mock.on("post_locations").enqueue(MockResponse::new(409));
    assert_eq!(
        raw.send(Method::POST, "/locations").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        raw.send(Method::POST, "/locations").await.status,
        StatusCode::ACCEPTED
    );

    mock.on("post_locations").enqueue(MockResponse::new(500));
    mock.on("get_locations_id").enqueue(MockResponse::new(500));
    mock.on("post_locations").clear();
    assert_eq!(mock.on("post_locations").pending(), 0);
    assert_eq!(mock.pending_responses(), 1);
    mock.clear_responses();
    assert_eq!(mock.pending_responses(), 0);
}

#[tokio::test]
async fn scripting_by_id_answers_the_sdk_with_generated_types() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let body = PostUsersLogoutEnvelope {
        message: Some("see you".into()),
        response: PostUsersLogoutResponse {
            redirect_url: Some("https://example.net/".into()),
            success: Some(true),
        },
        status: Status::Success,
        warnings: vec![],
    };
    mock.on(LOGOUT.id)
        .enqueue(MockResponse::json(200, &body).with_header("x-scripted", "1"));
    let token = mock.issue_token();
    let session = client.session(token.as_str());
    let answer = session.api().post_users_logout().send().await.unwrap();
    assert_eq!(
        answer.headers().get("x-scripted").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    assert_eq!(answer.into_inner(), body);
    // A scripted answer is not the API's: the token was not touched.
    assert!(mock.is_token_live(&token));

    mock.on(LOGOUT.id).enqueue(MockResponse::api_error(
        409,
        Status::ResourceLocked,
        None,
        "busy",
    ));
    let err = session.logout().await.unwrap_err();
    assert_eq!(err.status(), Some(&Status::ResourceLocked));
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(409));
    assert!(session.logout().await.is_ok());
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn faults_scripted_by_id() {
    let mock = MockServer::start().await.unwrap();
    let client = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();

    // Dropped before processing: the token survives.
    let token = mock.issue_token();
    mock.on(LOGOUT.id)
        .enqueue(MockResponse::passthrough().with_fault(Fault::CloseConnection));
    let err = client.session(token.as_str()).logout().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(mock.is_token_live(&token));

    // Processed, answer lost: the token is gone.
    mock.on(LOGOUT.id)
        .enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    let err = client.session(token.as_str()).logout().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!mock.is_token_live(&token));

    // Half a body.
    mock.on(LOGOUT.id)
        .enqueue(MockResponse::logout_success().with_fault(Fault::TruncateBody));
    let err = client
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(!matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(mock.request_count(), 3);
    assert_eq!(
        operation_ids(&mock),
        [Some(LOGOUT.id), Some(LOGOUT.id), Some(LOGOUT.id)]
    );
}

#[tokio::test]
async fn a_delay_scripted_by_id_holds_the_answer() {
    let mock = MockServer::start().await.unwrap();
    let impatient = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    mock.on(LOGOUT.id)
        .enqueue(MockResponse::passthrough().with_delay(Duration::from_secs(30)));
    let started = Instant::now();
    let err = impatient
        .session(mock.issue_token())
        .logout()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));

    let delay = Duration::from_millis(300);
    mock.on(LOGOUT.id)
        .enqueue(MockResponse::passthrough().with_delay(delay));
    let token = mock.issue_token();
    let started = Instant::now();
    mock.client()
        .unwrap()
        .session(token.as_str())
        .logout()
        .await
        .unwrap();
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    assert!(!mock.is_token_live(&token), "passthrough still logs out");
}

#[tokio::test]
async fn refused_credentials_are_error_envelopes() {
    let mock = table_mock().await;
    let key = mock.api_key().unwrap().to_owned();
    let revoked = mock.issue_token();
    mock.revoke_token(&revoked);
    let cases: [(&str, Option<&str>, Option<&str>, Status); 5] = [
        ("no key", None, Some("live"), Status::NotAuthorized),
        (
            "wrong key",
            Some("wrong"),
            Some("live"),
            Status::BadPrivateKey,
        ),
        ("no token", Some(&key), None, Status::NotAuthorized),
        (
            "unknown token",
            Some(&key),
            Some("never-issued"),
            Status::BadAccessToken,
        ),
        (
            "revoked token",
            Some(&key),
            Some(&revoked),
            Status::BadAccessToken,
        ),
    ];
    for (case, api_key, token, expected) in cases {
        let raw = Raw {
            http: reqwest::Client::new(),
            base_url: mock.base_url().to_owned(),
            api_key: api_key.map(str::to_owned),
            token: token.map(|t| {
                if t == "live" {
                    mock.issue_token()
                } else {
                    t.to_owned()
                }
            }),
        };
        // A documented example is only served to a caller the API would serve.
        for (method, path) in [
            (Method::GET, "/locations/1"),
            (Method::POST, "/users/logout"),
        ] {
            let answer = raw.send(method.clone(), path).await;
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{case}: {method} {path}"
            );
            assert_eq!(
                answer.envelope().status,
                expected,
                "{case}: {method} {path}"
            );
        }
        // Routing comes first: an unknown route is 404 whatever the credentials.
        assert_eq!(
            raw.send(Method::GET, "/nope").await.status,
            StatusCode::NOT_FOUND,
            "{case}"
        );
    }

    // Through the SDK: a wrong key, then a token ended by logout.
    let wrong_key = uberall_sdk::Client::builder()
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
    let token = mock.issue_token();
    mock.client()
        .unwrap()
        .session(token.as_str())
        .logout()
        .await
        .unwrap();
    let err = mock
        .client_builder()
        .retry(RetryConfig::disabled())
        .build()
        .unwrap()
        .session(token.as_str())
        .logout()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn both_token_forms_and_a_keyless_mock_are_accepted() {
    let mock = MockServer::builder().no_api_key().start().await.unwrap();
    assert_eq!(mock.api_key(), None);
    for scheme in [AuthScheme::Bearer, AuthScheme::Bare] {
        let token = mock.issue_token();
        mock.client_builder()
            .auth_scheme(scheme)
            .build()
            .unwrap()
            .session(token.as_str())
            .logout()
            .await
            .unwrap_or_else(|err| panic!("{scheme:?}: {err:?}"));
        assert!(!mock.is_token_live(&token), "{scheme:?}");
    }
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[0]
            .header("authorization")
            .unwrap()
            .starts_with("Bearer ")
    );
    assert!(
        requests[1]
            .header("authorization")
            .unwrap()
            .starts_with("mock-token-")
    );
}

#[tokio::test]
#[should_panic(expected = "no operation with id `get_nothing`")]
async fn scripting_an_unknown_operation_id_fails_loudly() {
    let mock = MockServer::start().await.unwrap();
    let _ = mock.on("get_nothing");
}
