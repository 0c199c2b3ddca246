//! How every kind of answer to `POST /users/logout` decodes, over real HTTP on 127.0.0.1.
//!
//! Documented answers (200, 400, 401, 403, 404, 409) with every `status` and `errorCode`
//! value, a 200 that is an error (non-`SUCCESS` status, `response.success: false`), values the
//! docs do not list, missing optional and unknown extra fields, and bodies that are not the
//! documented JSON: malformed, empty, HTML, with a wrong or missing content type, on an
//! undocumented status. Retries are disabled so that every case sends exactly one request.

use serde_json::{Value, json};
use uberall_sdk::{
    Client, Error, ErrorCode, LogoutOutcome, RetryConfig, Status,
    mock::{MockResponse, MockServer},
};
use uberall_tests::mock_with;

const DOCUMENTED_ERRORS: [u16; 5] = [400, 401, 403, 404, 409];

/// Statuses the SDK documents as authentication failures.
fn is_auth_status(status: &Status) -> bool {
    matches!(
        status,
        Status::NotAuthorized
            | Status::Forbidden
            | Status::BadAccessToken
            | Status::BadPrivateKey
            | Status::BadPublicKey
    )
}

async fn setup() -> (MockServer, Client) {
    mock_with(RetryConfig::disabled()).await
}

/// Logs a fresh session out against one scripted answer, checking that exactly one request
/// was sent and the script consumed.
async fn logout_with(
    mock: &MockServer,
    client: &Client,
    response: MockResponse,
) -> Result<LogoutOutcome, Error> {
    let before = mock.request_count();
    mock.enqueue(response);
    let result = client.session(mock.issue_token()).logout().await;
    assert_eq!(mock.request_count(), before + 1, "one request per logout");
    assert_eq!(mock.pending_responses(), 0, "the scripted answer was used");
    result
}

fn json_response(status: u16, body: &Value) -> MockResponse {
    MockResponse::json(status, body)
}

fn raw_json(status: u16, body: &str) -> MockResponse {
    MockResponse::new(status)
        .with_content_type("application/json")
        .with_body(body.to_owned())
}

#[track_caller]
fn expect_api(result: Result<LogoutOutcome, Error>) -> uberall_sdk::ApiError {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[track_caller]
fn expect_decode(result: Result<LogoutOutcome, Error>) -> uberall_sdk::ResponseError {
    match result {
        Err(Error::Decode(err)) => err,
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn documented_200_decodes_every_field() {
    let (mock, client) = setup().await;
    let outcome = logout_with(
        &mock,
        &client,
        json_response(
            200,
            &json!({
                "status": "SUCCESS",
                "message": "logged out",
                "warnings": ["first", {"code": 7}],
                "response": {"success": true, "redirectUrl": "https://example.com/bye?x=1"}
            }),
        ),
    )
    .await
    .expect("documented 200 is a success");
    assert_eq!(
        outcome.redirect_url().map(|u| u.as_str()),
        Some("https://example.com/bye?x=1")
    );
    assert_eq!(outcome.message(), Some("logged out"));
    assert_eq!(outcome.warnings(), [json!("first"), json!({"code": 7})]);
    assert!(!outcome.was_already_logged_out());

    // The mock's own API emulation: the documented example body.
    let token = mock.issue_token();
    let outcome = client.session(token.as_str()).logout().await.unwrap();
    assert_eq!(
        outcome.redirect_url().map(|u| u.as_str()),
        Some("http://example.com/redirect")
    );
    assert!(!mock.is_token_live(&token));
}

#[tokio::test]
async fn every_documented_error_status_and_status_value_is_an_api_error() {
    let (mock, client) = setup().await;
    for http in DOCUMENTED_ERRORS {
        for (i, status) in Status::KNOWN.iter().enumerate() {
            // Rotating the codes covers all of ErrorCode::KNOWN across the loop as well.
            let code = ErrorCode::KNOWN[(i + usize::from(http)) % ErrorCode::KNOWN.len()].clone();
            let message = format!("message for {http} {status}");
            let err = logout_with(
                &mock,
                &client,
                MockResponse::api_error(http, status.clone(), Some(code.clone()), &message),
            )
            .await
            .expect_err("documented error status");
            let case = format!("HTTP {http} {status} {code}");
            assert_eq!(err.http_status().map(|s| s.as_u16()), Some(http), "{case}");
            assert_eq!(err.status(), Some(status), "{case}");
            assert_eq!(err.error_code(), Some(&code), "{case}");
            assert_eq!(err.message(), Some(message.as_str()), "{case}");
            // The API's status is more specific than the HTTP one: a quota answer behind a
            // 401/403 is not an auth error.
            let auth = ((http == 401 || http == 403) && *status != Status::QuotaLimitExceed)
                || is_auth_status(status);
            assert_eq!(err.is_auth(), auth, "{case}");
            assert_eq!(
                err.is_retryable(),
                !auth && *status == Status::QuotaLimitExceed,
                "{case}"
            );
            let text = err.to_string();
            assert!(
                text.contains(&format!("HTTP {http}")) && text.contains(status.as_str()),
                "{case}: {text}"
            );
            let api = expect_api(Err(err));
            assert_eq!(api.http_status().as_u16(), http, "{case}");
            assert_eq!(api.status(), status, "{case}");
            assert_eq!(api.error_code(), Some(&code), "{case}");
            assert_eq!(api.retry_after(), None, "{case}");
        }
    }
}

#[tokio::test]
async fn every_error_code_value_decodes() {
    let (mock, client) = setup().await;
    for code in ErrorCode::KNOWN {
        for http in DOCUMENTED_ERRORS {
            let err = logout_with(
                &mock,
                &client,
                json_response(
                    http,
                    &json!({"status": "USER_ERROR", "errorCode": code.as_str()}),
                ),
            )
            .await
            .expect_err("error answer");
            assert_eq!(err.error_code(), Some(code), "HTTP {http} {code}");
            assert!(code.is_known());
            assert!(err.to_string().contains(code.as_str()), "{err}");
        }
    }
}

#[tokio::test]
async fn a_200_with_a_non_success_status_is_an_api_error() {
    let (mock, client) = setup().await;
    for status in Status::KNOWN.iter().filter(|s| **s != Status::Success) {
        // The 200 envelope shape (with `response`) ...
        let api = expect_api(
            logout_with(
                &mock,
                &client,
                json_response(
                    200,
                    &json!({"status": status.as_str(), "message": "no", "response": {}}),
                ),
            )
            .await,
        );
        assert_eq!(api.http_status().as_u16(), 200, "{status}");
        assert_eq!(api.status(), status);
        assert_eq!(api.message(), Some("no"));
        // ... and the error envelope shape (no `response`, an `errorCode`).
        let api = expect_api(
            logout_with(
                &mock,
                &client,
                json_response(
                    200,
                    &json!({"status": status.as_str(), "errorCode": "INACTIVE"}),
                ),
            )
            .await,
        );
        assert_eq!(api.http_status().as_u16(), 200, "{status}");
        assert_eq!(api.status(), status);
        assert_eq!(api.error_code(), Some(&ErrorCode::Inactive), "{status}");
    }
}

/// A 200 error envelope that also carries `"response": {}` (the shape the docs give every
/// error body, and the one `MockResponse::api_error` sends) keeps its `errorCode`.
#[tokio::test]
async fn a_200_error_keeps_its_error_code_when_the_body_has_a_response_object() {
    let (mock, client) = setup().await;
    let api = expect_api(
        logout_with(
            &mock,
            &client,
            MockResponse::api_error(
                200,
                Status::BadRequest,
                Some(ErrorCode::InvalidInput),
                "bad input",
            ),
        )
        .await,
    );
    assert_eq!(api.status(), &Status::BadRequest);
    assert_eq!(
        api.error_code(),
        Some(&ErrorCode::InvalidInput),
        "errorCode dropped from a 200 error body with `response: {{}}`"
    );
}

#[tokio::test]
async fn a_200_with_response_success_false_is_an_api_error() {
    let (mock, client) = setup().await;
    mock.enqueue(json_response(
        200,
        &json!({
            "status": "SUCCESS",
            "message": "could not log out",
            "warnings": ["w"],
            "response": {"success": false, "redirectUrl": "http://example.com/redirect"}
        }),
    ));
    let session = client.session(mock.issue_token());
    let api = expect_api(session.logout().await);
    assert_eq!(api.http_status().as_u16(), 200);
    assert_eq!(api.status(), &Status::Success);
    assert_eq!(api.message(), Some("could not log out"));
    assert_eq!(api.warnings(), [json!("w")]);
    // The token was not invalidated: the session stays usable and a retry goes out.
    assert!(!session.is_ended());
    session.logout().await.expect("second logout succeeds");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn values_the_docs_do_not_list_are_kept_raw() {
    let (mock, client) = setup().await;
    for http in DOCUMENTED_ERRORS {
        let err = logout_with(
            &mock,
            &client,
            json_response(
                http,
                &json!({"status": "BRAND_NEW_STATUS", "errorCode": "BRAND_NEW_CODE", "message": "m"}),
            ),
        )
        .await
        .expect_err("error answer");
        assert_eq!(
            err.status(),
            Some(&Status::Unrecognized("BRAND_NEW_STATUS".into()))
        );
        assert_eq!(
            err.error_code(),
            Some(&ErrorCode::Unrecognized("BRAND_NEW_CODE".into()))
        );
        assert!(!err.status().unwrap().is_known());
        let text = err.to_string();
        assert!(
            text.contains("BRAND_NEW_STATUS") && text.contains("BRAND_NEW_CODE"),
            "{text}"
        );
    }
    // On a 200, in both envelope shapes.
    for body in [
        json!({"status": "NOT_YET_DOCUMENTED_STATUS", "response": {"success": true}}),
        json!({"status": "NOT_YET_DOCUMENTED_STATUS", "errorCode": "ALSO_NEW"}),
    ] {
        let err = logout_with(&mock, &client, json_response(200, &body))
            .await
            .expect_err("unknown status is not SUCCESS");
        assert_eq!(
            err.status(),
            Some(&Status::Unrecognized("NOT_YET_DOCUMENTED_STATUS".into()))
        );
        assert_eq!(err.http_status().map(|s| s.as_u16()), Some(200));
    }
}

#[tokio::test]
async fn optional_fields_may_be_missing() {
    let (mock, client) = setup().await;
    for body in [
        json!({"status": "SUCCESS", "response": {}}),
        json!({"status": "SUCCESS", "response": {"success": true}}),
        json!({"status": "SUCCESS", "response": {"redirectUrl": null, "success": null}}),
    ] {
        let outcome = logout_with(&mock, &client, json_response(200, &body))
            .await
            .unwrap_or_else(|err| panic!("{body}: {err:?}"));
        assert_eq!(outcome.redirect_url(), None, "{body}");
        assert_eq!(outcome.message(), None, "{body}");
        assert!(outcome.warnings().is_empty(), "{body}");
        assert!(!outcome.was_already_logged_out(), "{body}");
    }
    for http in DOCUMENTED_ERRORS {
        let api = expect_api(
            logout_with(
                &mock,
                &client,
                json_response(http, &json!({"status": "NOT_FOUND"})),
            )
            .await,
        );
        assert_eq!(api.status(), &Status::NotFound);
        assert_eq!(api.error_code(), None);
        assert_eq!(api.message(), None);
        assert!(api.warnings().is_empty());
    }
}

#[tokio::test]
async fn unknown_extra_fields_are_ignored() {
    let (mock, client) = setup().await;
    let outcome = logout_with(
        &mock,
        &client,
        json_response(
            200,
            &json!({
                "status": "SUCCESS",
                "newTopLevel": {"nested": [1, 2, {"deep": null}]},
                "traceId": "abc",
                "response": {
                    "success": true,
                    "redirectUrl": "http://example.com/redirect",
                    "sessionCount": 3,
                    "extra": {"a": "b"}
                }
            }),
        ),
    )
    .await
    .expect("extra fields do not break decoding");
    assert_eq!(
        outcome.redirect_url().map(|u| u.as_str()),
        Some("http://example.com/redirect")
    );
    for http in DOCUMENTED_ERRORS {
        let api = expect_api(
            logout_with(
                &mock,
                &client,
                json_response(
                    http,
                    &json!({
                        "status": "CONFLICT",
                        "errorCode": "LIMIT_REACHED",
                        "message": "m",
                        "response": {"whatever": [1]},
                        "details": {"field": "x"},
                        "timestamp": 1_700_000_000
                    }),
                ),
            )
            .await,
        );
        assert_eq!(api.status(), &Status::Conflict);
        assert_eq!(api.error_code(), Some(&ErrorCode::LimitReached));
        assert_eq!(api.message(), Some("m"));
    }
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_a_short_excerpt() {
    let (mock, client) = setup().await;
    let truncated = r#"{"status":"SUCCESS","response":{"success":tru"#;
    for http in [200, 400, 401, 409] {
        let err = logout_with(&mock, &client, raw_json(http, truncated))
            .await
            .expect_err("malformed JSON");
        assert_eq!(err.http_status().map(|s| s.as_u16()), Some(http));
        assert!(!err.is_retryable());
        let text = err.to_string();
        let decode = expect_decode(Err(err));
        assert_eq!(decode.excerpt(), truncated);
        assert_eq!(decode.content_type(), Some("application/json"));
        assert!(
            decode.detail().is_some_and(|d| !d.is_empty()),
            "the parser's message is kept: {decode:?}"
        );
        assert!(text.contains("could not decode"), "{text}");
        assert!(
            text.contains(r#"{\"status\""#),
            "excerpt in Display: {text}"
        );
    }

    // A long body is cut to a short, single-line excerpt.
    let long = format!(
        "{{\"status\": \"SUCCESS\",\n\n\"junk\": \"{}",
        "x".repeat(20_000)
    );
    let decode = expect_decode(logout_with(&mock, &client, raw_json(200, &long)).await);
    let excerpt = decode.excerpt();
    assert!(
        excerpt.starts_with(r#"{"status": "SUCCESS", "junk""#),
        "{excerpt}"
    );
    assert!(
        excerpt.chars().count() <= 201,
        "{}",
        excerpt.chars().count()
    );
    assert!(excerpt.ends_with('…'), "{excerpt}");
    assert!(!excerpt.contains('\n'));

    // Valid JSON of the wrong shape.
    for body in [
        r#"{"status": 42, "response": {}}"#,
        r#"{"response": {"success": true}}"#,
        r#"{"status": "SUCCESS"}"#,
        r#"{"status": "SUCCESS", "response": null}"#,
        r#"{"status": "SUCCESS", "response": {"success": "yes"}}"#,
        r#"["SUCCESS"]"#,
        "null",
    ] {
        let decode = expect_decode(logout_with(&mock, &client, raw_json(200, body)).await);
        assert_eq!(decode.excerpt(), body);
        assert!(decode.detail().is_some(), "{body}");
    }
}

#[tokio::test]
async fn content_type_is_not_what_decides() {
    let (mock, client) = setup().await;
    let body = r#"{"status":"SUCCESS","response":{"success":true,"redirectUrl":"http://example.com/redirect"}}"#;
    // The docs declare the 200 as `*/*`: a JSON body decodes whatever the label says.
    for content_type in [
        Some("*/*"),
        Some("text/plain"),
        Some("text/html; charset=iso-8859-1"),
        Some("application/octet-stream"),
        Some("application/json; charset=utf-8"),
        None,
    ] {
        let mut response = MockResponse::new(200).with_body(body);
        response = match content_type {
            Some(ct) => response.with_content_type(ct),
            None => response.without_content_type(),
        };
        let outcome = logout_with(&mock, &client, response)
            .await
            .unwrap_or_else(|err| panic!("{content_type:?}: {err:?}"));
        assert!(outcome.redirect_url().is_some());
    }
    // Error envelopes likewise.
    let api = expect_api(
        logout_with(
            &mock,
            &client,
            MockResponse::new(401)
                .with_content_type("text/plain")
                .with_body(r#"{"status":"BAD_ACCESS_TOKEN"}"#),
        )
        .await,
    );
    assert_eq!(api.status(), &Status::BadAccessToken);

    // A body that is not JSON fails whatever the label; the error reports the label.
    for (content_type, expected) in [
        (Some("application/json"), Some("application/json")),
        (Some("text/html"), Some("text/html")),
        (None, None),
    ] {
        let mut response = MockResponse::new(200).with_body("<html><body>Hello</body></html>");
        response = match content_type {
            Some(ct) => response.with_content_type(ct),
            None => response.without_content_type(),
        };
        let err = logout_with(&mock, &client, response)
            .await
            .expect_err("HTML is not the JSON envelope");
        let text = err.to_string();
        let decode = expect_decode(Err(err));
        assert_eq!(decode.content_type(), expected);
        assert_eq!(decode.excerpt(), "<html><body>Hello</body></html>");
        if expected.is_none() {
            assert!(text.contains("no content-type"), "{text}");
        }
    }
}

#[tokio::test]
async fn empty_body_is_a_decode_error() {
    let (mock, client) = setup().await;
    for http in [200, 400, 401, 403, 404, 409] {
        let err = logout_with(
            &mock,
            &client,
            MockResponse::new(http).with_content_type("application/json"),
        )
        .await
        .expect_err("an empty body is not the envelope");
        assert_eq!(err.http_status().map(|s| s.as_u16()), Some(http));
        assert_eq!(err.is_auth(), http == 401 || http == 403, "{http}");
        let text = err.to_string();
        assert!(text.contains("empty body"), "{text}");
        let decode = expect_decode(Err(err));
        assert_eq!(decode.excerpt(), "");
        assert!(decode.detail().is_some());
    }
}

#[tokio::test]
async fn undocumented_statuses_are_unexpected_with_an_excerpt() {
    let (mock, client) = setup().await;
    let html = "<html>\n<head><title>500 Internal Server Error</title></head>\n<body>\n<center><h1>500 Internal Server Error</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";
    let err = logout_with(
        &mock,
        &client,
        MockResponse::new(500)
            .with_content_type("text/html")
            .with_body(html),
    )
    .await
    .expect_err("500");
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(500));
    assert!(!err.is_retryable() && !err.is_auth());
    let text = err.to_string();
    assert!(
        text.contains("unexpected response") && text.contains("HTTP 500"),
        "{text}"
    );
    let Error::UnexpectedStatus(unexpected) = err else {
        panic!("expected UnexpectedStatus, got {err:?}")
    };
    assert_eq!(unexpected.content_type(), Some("text/html"));
    assert!(
        unexpected
            .excerpt()
            .starts_with("<html> <head><title>500 Internal Server Error</title></head>"),
        "{}",
        unexpected.excerpt()
    );
    assert!(unexpected.excerpt().chars().count() <= 201);

    for http in [201, 405, 418, 501, 505] {
        let err = logout_with(
            &mock,
            &client,
            MockResponse::new(http)
                .with_content_type("text/plain")
                .with_body("nope"),
        )
        .await
        .expect_err("undocumented status");
        let Error::UnexpectedStatus(unexpected) = &err else {
            panic!("{http}: expected UnexpectedStatus, got {err:?}")
        };
        assert_eq!(unexpected.http_status().map(|s| s.as_u16()), Some(http));
        assert_eq!(unexpected.excerpt(), "nope");
    }

    // With the uberall envelope, an undocumented status is still the API's answer.
    let api = expect_api(
        logout_with(
            &mock,
            &client,
            MockResponse::api_error(500, Status::ServerError, None, "internal"),
        )
        .await,
    );
    assert_eq!(api.http_status().as_u16(), 500);
    assert_eq!(api.status(), &Status::ServerError);
    assert_eq!(api.message(), Some("internal"));
}

#[tokio::test]
async fn redirect_url_is_resolved_or_dropped_but_never_fails_the_logout() {
    let (mock, client) = setup().await;
    for (raw, expected) in [
        (
            "http://example.com/redirect",
            Some("http://example.com/redirect".to_owned()),
        ),
        (
            "  https://example.com/a b  ",
            Some("https://example.com/a%20b".to_owned()),
        ),
        // Relative: resolved against the request URL.
        ("/login", Some(format!("http://{}/login", mock.addr()))),
        ("", None),
        ("http://[::1", None),
    ] {
        let outcome = logout_with(
            &mock,
            &client,
            json_response(
                200,
                &json!({"status": "SUCCESS", "response": {"success": true, "redirectUrl": raw}}),
            ),
        )
        .await
        .unwrap_or_else(|err| panic!("{raw:?}: {err:?}"));
        assert_eq!(
            outcome.redirect_url().map(|u| u.to_string()),
            expected,
            "{raw:?}"
        );
    }
}

#[tokio::test]
async fn deeply_nested_json_neither_crashes_nor_recurses_without_limit() {
    let (mock, client) = setup().await;
    let depth = 5_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    // In an unknown field: skipped like any other unknown field.
    let body = format!(r#"{{"status":"SUCCESS","response":{{"success":true}},"extra":{nested}}}"#);
    logout_with(&mock, &client, raw_json(200, &body))
        .await
        .expect("an unknown field is skipped whatever its depth");
    // In a field that is kept (`warnings` holds JSON values): the parser's depth limit.
    let body =
        format!(r#"{{"status":"SUCCESS","response":{{"success":true}},"warnings":[{nested}]}}"#);
    let decode = expect_decode(logout_with(&mock, &client, raw_json(200, &body)).await);
    assert!(
        decode.detail().is_some_and(|d| d.contains("recursion")),
        "{decode:?}"
    );
}

/// A 200 `application/json` body of the wrong shape, echoing the session's token: every way
/// of calling the operation gives `Error::Decode` with the status, the content type and an
/// excerpt with the token redacted.
#[tokio::test]
async fn a_wrong_shaped_200_keeps_status_content_type_and_a_redacted_excerpt() {
    let (mock, client) = setup().await;
    let token = mock.issue_token();
    let body = format!(r#"{{"status":"SUCCESS","response":{{"success":"{token}"}}}}"#);
    let session = client.session(token.as_str());

    mock.enqueue(raw_json(200, &body));
    let through_api = session.api().post_users_logout().send().await.unwrap_err();
    mock.enqueue(raw_json(200, &body));
    let through_logout = session.logout().await.unwrap_err();

    for err in [Error::from(through_api), through_logout] {
        let Error::Decode(decode) = &err else {
            panic!("expected Error::Decode, got {err:?}");
        };
        assert_eq!(decode.http_status(), Some(reqwest::StatusCode::OK));
        assert_eq!(err.http_status(), Some(reqwest::StatusCode::OK));
        assert_eq!(decode.content_type(), Some("application/json"));
        assert_eq!(
            decode.excerpt(),
            r#"{"status":"SUCCESS","response":{"success":"[REDACTED]"}}"#
        );
        assert!(decode.detail().is_some_and(|d| !d.contains(&token)));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(&token), "{shown}");
        assert!(
            shown.contains("HTTP 200, content-type application/json"),
            "{shown}"
        );
        assert!(!shown.contains("2xx"), "{shown}");
    }
    assert_eq!(mock.request_count(), 2);
}
