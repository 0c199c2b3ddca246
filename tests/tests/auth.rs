//! Authentication over real HTTP on 127.0.0.1: the credentials each operation is sent with,
//! `client.api()` with the API key alone, login into a session, and renewal.
//!
//! The spec has two operations (login, logout); the rules for other security requirements
//! are tested on a table of operations the mock serves and the client looks up
//! (`operations(TABLE)` on both builders), sent through the generated client's hook as the
//! generated operations send theirs.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{Method, StatusCode};
use uberall_client::operations::{self, Operation};
use uberall_sdk::{
    Client, Error, LoginCredentials, Session, Status,
    mock::{Fault, MockResponse, MockServer},
};
use uberall_tests::{Capture, fast_retries, join_all};

const EMAIL: &str = "jane.doe@example.com";
const PASSWORD: &str = "pw-Very-Secret-4711";

const fn get(
    id: &'static str,
    path: &'static str,
    security: &'static [&'static [&'static str]],
) -> Operation {
    Operation {
        id,
        method: "GET",
        path,
        statuses: &[200, 401],
        example: Some((200, r#"{"status":"SUCCESS","response":{}}"#)),
        security,
        idempotent: true,
    }
}

/// Either credential, as 215 of the published operations.
const GET_LOCATIONS: Operation = get(
    "get_locations",
    "/locations",
    &[&["X-API-KEY"], &["Authorization"]],
);
/// The token only.
const GET_LOCATION_GROUPS: Operation = get(
    "get_location_groups",
    "/location-groups",
    &[&["Authorization"]],
);
/// The API key only.
const GET_CATEGORIES: Operation = get("get_categories", "/categories", &[&["X-API-KEY"]]);
/// A scheme the SDK cannot send.
const GET_SEARCH: Operation = get("get_search", "/search", &[&["publicKey"]]);
/// No security.
const GET_SUGGESTIONS: Operation = get("get_locations_suggestions", "/locations/suggestions", &[]);

static TABLE: &[Operation] = &[
    operations::POST_USERS_LOGIN,
    operations::POST_USERS_LOGOUT,
    GET_LOCATIONS,
    GET_LOCATION_GROUPS,
    GET_CATEGORIES,
    GET_SEARCH,
    GET_SUGGESTIONS,
];

/// A mock serving [`TABLE`] with one user, and a client looking operations up in it.
async fn setup() -> (MockServer, Client) {
    let mock = MockServer::builder()
        .operations(TABLE)
        .start()
        .await
        .expect("mock starts");
    mock.add_user(EMAIL, PASSWORD);
    let client = mock
        .client_builder()
        .operations(TABLE)
        .retry(fast_retries())
        .build()
        .expect("client");
    (mock, client)
}

fn password_login() -> LoginCredentials {
    LoginCredentials::email_password(EMAIL, PASSWORD)
}

/// Sends `operation` (no parameters, no body) through `api`'s transport, as its generated
/// method would.
async fn call(api: &uberall_client::Client, operation: &Operation) -> Result<StatusCode, Error> {
    let method = Method::from_bytes(operation.method.as_bytes()).expect("method");
    let url = format!("{}{}", api.baseurl(), operation.path);
    let request = api.client().request(method, url).build().expect("request");
    let info = OperationInfo {
        operation_id: operation.id,
    };
    match <uberall_client::Client as ClientHooks<_>>::exec(api, request, &info).await {
        Ok(response) => Ok(response.status()),
        Err(err) => Err(Error::from(
            progenitor_client::Error::<()>::CommunicationError(err),
        )),
    }
}

/// `(Authorization, X-API-KEY)` as the mock received them.
fn credentials(request: &uberall_sdk::mock::RecordedRequest) -> (Option<&str>, Option<&str>) {
    (request.header("authorization"), request.header("x-api-key"))
}

fn count(mock: &MockServer, operation: &str) -> usize {
    mock.on(operation).requests().len()
}

const LOGIN: &str = operations::POST_USERS_LOGIN.id;

// ---------------------------------------------------------------------------------------------
// Login
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_sends_no_credential_header_and_the_session_holds_the_token() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.expect("login");
    let login = mock.on(LOGIN).requests();
    assert_eq!(login.len(), 1);
    assert_eq!(credentials(&login[0]), (None, None));
    let body: serde_json::Value = serde_json::from_slice(login[0].body()).unwrap();
    assert_eq!(body["email"], EMAIL);
    assert_eq!(body["password"], PASSWORD);

    // The session sends the token it received: the mock issued it and accepts it.
    assert_eq!(
        call(session.api(), &GET_LOCATION_GROUPS).await.unwrap(),
        200
    );
    let sent = mock.on(GET_LOCATION_GROUPS.id).requests();
    let token = uberall_tests::bearer(credentials(&sent[0]).0.expect("Authorization sent"));
    assert!(mock.is_token_live(token));
    session.logout().await.expect("logout");
    assert!(
        !mock.is_token_live(token),
        "logout invalidated the login's token"
    );
}

#[tokio::test]
async fn every_accepted_pair_logs_in() {
    let (mock, client) = setup().await;
    let user_id = mock.add_user("second@example.com", "other");
    let key = mock.api_key().unwrap().to_owned();
    for credentials in [
        password_login(),
        LoginCredentials::email_private_key("second@example.com", key.as_str()),
        LoginCredentials::user_id_private_key(user_id, key.as_str()),
    ] {
        let shown = format!("{credentials:?}");
        let session = client.login(credentials).send().await.expect(&shown);
        assert_eq!(
            call(session.api(), &GET_LOCATION_GROUPS).await.unwrap(),
            200,
            "{shown}"
        );
    }
    let bodies: Vec<serde_json::Value> = mock
        .on(LOGIN)
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(r.body()).unwrap())
        .collect();
    assert_eq!(bodies[1]["private_key"], key.as_str());
    assert_eq!(bodies[2]["userId"], user_id);
    assert!(bodies[2].get("email").is_none_or(|e| e.is_null()));
}

#[tokio::test]
async fn a_refused_login_is_a_typed_auth_error_naming_no_secret() {
    let (mock, client) = setup().await;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.subscriber());
    let wrong = LoginCredentials::email_password(EMAIL, "wrong-Password-99");
    let err = client.login(wrong).send().await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(err.http_status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(err.status(), Some(&Status::NotAuthorized));
    let bad_key = LoginCredentials::user_id_private_key(1, "not-the-Key-1234");
    let err2 = client.login(bad_key).send().await.unwrap_err();
    assert!(err2.is_auth() && err2.status() == Some(&Status::BadPrivateKey));
    assert_eq!(count(&mock, LOGIN), 2, "refusals are not retried");
    let shown = format!("{err} {err:?} {err2} {err2:?} {}", capture.contents());
    for secret in ["wrong-Password-99", "not-the-Key-1234", PASSWORD] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}

#[tokio::test]
async fn a_login_is_retried_only_when_it_cannot_have_been_processed() {
    let (mock, client) = setup().await;
    // Refused with 503: not processed, so retried.
    mock.on(LOGIN)
        .enqueue(MockResponse::new(503).with_header("Retry-After", "0"));
    client
        .login(password_login())
        .send()
        .await
        .expect("retried");
    assert_eq!(count(&mock, LOGIN), 2);

    // Processed, then the answer was lost: a second login could open a second session.
    mock.clear_requests();
    mock.on(LOGIN)
        .enqueue(MockResponse::passthrough().with_fault(Fault::ProcessThenCloseConnection));
    let err = client.login(password_login()).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(count(&mock, LOGIN), 1);
}

#[tokio::test]
async fn a_success_without_a_token_is_a_decode_error() {
    let (mock, client) = setup().await;
    mock.on(LOGIN).enqueue(MockResponse::json(
        200,
        &serde_json::json!({"status": "SUCCESS", "response": {"access_token": ""}}),
    ));
    let err = client.login(password_login()).send().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Credentials per operation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_key_only_call_sends_x_api_key_and_no_authorization() {
    let (mock, client) = setup().await;
    let api = client.api();
    for operation in [&GET_CATEGORIES, &GET_LOCATIONS] {
        assert_eq!(
            call(&api, operation).await.unwrap(),
            200,
            "{}",
            operation.id
        );
    }
    // A generated operation too: logout accepts the API key alone.
    client
        .api()
        .post_users_logout()
        .send()
        .await
        .expect("logout by key");
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(
            credentials(request),
            (None, mock.api_key()),
            "{:?}",
            request.operation_id()
        );
    }
}

#[tokio::test]
async fn a_session_sends_what_each_operation_accepts() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.clear_requests();
    let api = session.api();
    for operation in [
        &GET_LOCATIONS,
        &GET_LOCATION_GROUPS,
        &GET_CATEGORIES,
        &GET_SUGGESTIONS,
    ] {
        assert_eq!(call(api, operation).await.unwrap(), 200, "{}", operation.id);
    }
    // The generated login, through a session: no security, no credential header.
    let body = uberall_client::types::PostUsersLoginRequest {
        email: Some(EMAIL.to_owned()),
        password: Some(PASSWORD.into()),
        private_key: None,
        user_id: None,
    };
    api.post_users_login()
        .body(body)
        .send()
        .await
        .expect("login");
    let sent: Vec<_> = mock
        .requests()
        .iter()
        .map(|r| {
            let (token, key) = credentials(r);
            (r.operation_id().unwrap(), token.is_some(), key.is_some())
        })
        .collect();
    assert_eq!(
        sent,
        [
            ("get_locations", true, true),
            ("get_location_groups", true, false),
            ("get_categories", false, true),
            ("get_locations_suggestions", false, false),
            (LOGIN, false, false),
        ]
    );
}

#[tokio::test]
async fn a_token_operation_through_client_api_is_refused_before_sending() {
    let (mock, client) = setup().await;
    let err = call(&client.api(), &GET_LOCATION_GROUPS).await.unwrap_err();
    assert!(err.is_missing_credential(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("get_location_groups") && text.contains("Authorization"),
        "{text}"
    );
    assert!(!err.is_retryable());
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn an_unknown_scheme_or_a_missing_key_is_refused_before_sending() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.clear_requests();
    let err = call(session.api(), &GET_SEARCH).await.unwrap_err();
    assert!(err.is_missing_credential(), "{err:?}");
    assert!(err.to_string().contains("publicKey"), "{err}");

    let keyless = Client::builder()
        .base_url(mock.base_url())
        .operations(TABLE)
        .build()
        .unwrap();
    let err = call(&keyless.api(), &GET_CATEGORIES).await.unwrap_err();
    assert!(err.is_missing_credential(), "{err:?}");
    assert!(err.to_string().contains("X-API-KEY"), "{err}");
    let err = keyless.api().post_users_logout().send().await.unwrap_err();
    assert!(Error::from(err).is_missing_credential());
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn a_401_on_an_operation_without_security_says_nothing_was_sent() {
    let (mock, client) = setup().await;
    mock.on(GET_SUGGESTIONS.id).enqueue(MockResponse::api_error(
        401,
        Status::NotAuthorized,
        None,
        "who are you",
    ));
    let err = call(&client.api(), &GET_SUGGESTIONS).await.unwrap_err();
    assert!(err.is_auth());
    let text = err.to_string();
    assert!(text.contains("declares no security"), "{text}");
    assert!(text.contains("no credential"), "{text}");
}

#[tokio::test]
async fn the_mock_refuses_a_request_missing_every_accepted_credential() {
    let (mock, _client) = setup().await;
    let raw = reqwest::Client::new();
    let url = format!("{}{}", mock.base_url(), GET_LOCATION_GROUPS.path);
    let response = raw.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "NOT_AUTHORIZED");
    // The key alone does not meet a token-only requirement.
    let response = raw
        .get(&url)
        .header("X-API-KEY", mock.api_key().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let url = format!("{}{}", mock.base_url(), GET_SUGGESTIONS.path);
    assert_eq!(raw.get(&url).send().await.unwrap().status(), 200);
}

// ---------------------------------------------------------------------------------------------
// Renewal
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_expired_session_logs_in_again_and_resends_the_call_once() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    assert_eq!(mock.expire_tokens(), 1);
    assert_eq!(
        call(session.api(), &GET_LOCATION_GROUPS).await.unwrap(),
        200
    );
    assert_eq!(count(&mock, LOGIN), 2);
    assert_eq!(count(&mock, GET_LOCATION_GROUPS.id), 2);
    // The renewed token is the session's from now on, for every clone.
    mock.clear_requests();
    assert_eq!(
        call(session.clone().api(), &GET_LOCATIONS).await.unwrap(),
        200
    );
    assert_eq!(mock.request_count(), 1);
    session.logout().await.expect("logout of the renewed token");
}

#[tokio::test]
async fn fifty_concurrent_calls_on_an_expired_session_cause_exactly_one_login() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.expire_tokens();
    mock.clear_requests();
    let clones: Vec<Session> = (0..50).map(|_| session.clone()).collect();
    let results = join_all(clones.iter().map(|s| call(s.api(), &GET_LOCATION_GROUPS))).await;
    assert!(
        results.iter().all(|r| matches!(r, Ok(s) if *s == 200)),
        "{results:?}"
    );
    let logins = count(&mock, LOGIN);
    let calls = count(&mock, GET_LOCATION_GROUPS.id);
    eprintln!(
        "50 concurrent calls: {logins} login, {calls} call requests, {} in all",
        mock.request_count()
    );
    assert_eq!(logins, 1);
    // Each call was rejected at most once and resent at most once.
    assert!((50..=100).contains(&calls), "{calls}");
}

#[tokio::test]
async fn a_failed_renewal_is_shared_not_repeated() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.expire_tokens();
    mock.clear_requests();
    mock.on(LOGIN).enqueue(MockResponse::api_error(
        401,
        Status::NotAuthorized,
        None,
        "password changed",
    ));
    let clones: Vec<Session> = (0..10).map(|_| session.clone()).collect();
    let results = join_all(clones.iter().map(|s| call(s.api(), &GET_LOCATION_GROUPS))).await;
    for result in &results {
        let err = result.as_ref().unwrap_err();
        assert!(err.is_auth(), "{err:?}");
    }
    assert_eq!(count(&mock, LOGIN), 1);
}

#[tokio::test]
async fn renewal_happens_once_per_call_never_in_a_loop() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.clear_requests();
    let rejected = || MockResponse::api_error(401, Status::BadAccessToken, None, "expired");
    mock.on(GET_LOCATION_GROUPS.id)
        .enqueue(rejected())
        .enqueue(rejected());
    let err = call(session.api(), &GET_LOCATION_GROUPS).await.unwrap_err();
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
    assert_eq!(count(&mock, LOGIN), 1);
    assert_eq!(count(&mock, GET_LOCATION_GROUPS.id), 2);
}

#[tokio::test]
async fn no_renewal_where_the_answer_does_not_show_the_call_did_nothing() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.clear_requests();
    // A 200 whose status is BAD_ACCESS_TOKEN: the server may have acted on it.
    mock.on(GET_LOCATIONS.id).enqueue(MockResponse::api_error(
        200,
        Status::BadAccessToken,
        None,
        "odd",
    ));
    let err = call(session.api(), &GET_LOCATIONS).await.unwrap_err();
    assert_eq!(err.status(), Some(&Status::BadAccessToken));
    assert_eq!(count(&mock, LOGIN), 0);
}

#[tokio::test]
async fn renewal_can_be_turned_off_and_a_bare_token_session_never_renews() {
    let (mock, client) = setup().await;
    let session = client
        .login(password_login())
        .renew_on_expiry(false)
        .send()
        .await
        .unwrap();
    let bare = client.session(mock.issue_token());
    mock.expire_tokens();
    mock.clear_requests();
    for session in [session, bare] {
        let err = call(session.api(), &GET_LOCATION_GROUPS).await.unwrap_err();
        assert_eq!(err.status(), Some(&Status::BadAccessToken));
    }
    assert_eq!(count(&mock, LOGIN), 0);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn logout_never_renews_and_nothing_renews_after_it() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    mock.expire_tokens();
    mock.clear_requests();
    let outcome = session
        .logout()
        .await
        .expect("an unusable token ends the session");
    assert!(outcome.was_already_logged_out());
    assert!(session.is_ended());
    assert_eq!(count(&mock, LOGIN), 0);
    assert_eq!(mock.request_count(), 1);
    // Ended: calls are refused locally, no login.
    let err = call(session.api(), &GET_LOCATION_GROUPS).await.unwrap_err();
    assert!(err.is_session_ended());
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn a_logged_out_session_is_not_renewed_by_a_call_that_was_in_flight() {
    let (mock, client) = setup().await;
    let session = client.login(password_login()).send().await.unwrap();
    session.logout().await.unwrap();
    mock.clear_requests();
    // A clone's call started before the logout would have carried the old token; after
    // logout every call is refused before sending, whatever the token's state.
    let err = call(session.clone().api(), &GET_LOCATIONS)
        .await
        .unwrap_err();
    assert!(err.is_session_ended());
    assert_eq!(mock.request_count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_secrets_never_reach_debug_display_or_traces() {
    let (mock, client) = setup().await;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.subscriber());
    let credentials = password_login();
    let session = client.login(credentials.clone()).send().await.unwrap();
    mock.expire_tokens();
    call(session.api(), &GET_LOCATION_GROUPS).await.unwrap();
    let tokens: Vec<String> = mock
        .requests()
        .iter()
        .filter_map(|r| {
            r.header("authorization")
                .map(|a| uberall_tests::bearer(a).to_owned())
        })
        .collect();
    assert_eq!(tokens.len(), 2, "the first and the renewed token");

    // The generated login types a user reaches through client.api().post_users_login().
    let request = uberall_client::types::PostUsersLoginRequest {
        email: Some(EMAIL.to_owned()),
        password: Some(PASSWORD.into()),
        private_key: None,
        user_id: None,
    };
    let by_key = uberall_client::types::PostUsersLoginRequest {
        email: None,
        password: None,
        private_key: Some("key-Secret-0042".into()),
        user_id: Some(1),
    };
    let response = client
        .api()
        .post_users_login()
        .body(request.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    let issued = response
        .response
        .as_ref()
        .and_then(|r| r.access_token.as_ref())
        .expect("a token")
        .expose()
        .to_owned();
    let shown = format!(
        "{credentials:?} {session:?} {client:?} {request:?} {by_key:?} {response:?} {}",
        capture.contents()
    );
    for secret in
        tokens
            .iter()
            .chain([&issued, &PASSWORD.to_owned(), &"key-Secret-0042".to_owned()])
    {
        assert!(!shown.contains(secret.as_str()), "{secret} leaked: {shown}");
    }
    assert!(shown.contains(EMAIL), "who logs in is not secret");
}
