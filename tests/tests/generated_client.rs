//! The progenitor client in `generated/` against a real HTTP server on 127.0.0.1: the
//! documented 200 body decodes to the typed envelope (not a byte stream), the documented
//! error bodies decode to `ErrorEnvelope`, and enum values the docs don't list survive. A body
//! of the wrong shape keeps its status, headers and body: without a transport as the
//! `hooks::DecodeFailure` its error carries, and through the transport's `decode_error` when
//! there is one.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use uberall_client::types::{ErrorCode, Status};

/// Serves `POST /users/logout` with a fixed status and body; returns the base URL.
async fn serve(status: u16, body: &'static str, content_type: &'static str) -> String {
    let app = Router::new().route(
        "/users/logout",
        post(move || async move {
            (
                StatusCode::from_u16(status).expect("valid status"),
                [(header::CONTENT_TYPE, content_type)],
                body,
            )
                .into_response()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

const OK_BODY: &str = r#"{"status":"SUCCESS","message":"bye","warnings":["w1"],"response":{"success":true,"redirectUrl":"http://example.com/redirect"}}"#;

#[tokio::test]
async fn documented_200_body_decodes_to_typed_envelope() {
    // The doc lists the 200 body under `*/*`; servers may say so too.
    for content_type in ["application/json", "*/*"] {
        let base = serve(200, OK_BODY, content_type).await;
        let client = uberall_client::Client::new(&base, Default::default());
        let ok = client
            .post_users_logout()
            .send()
            .await
            .expect("200 decodes")
            .into_inner();
        assert_eq!(ok.status, Status::Success);
        assert_eq!(ok.message.as_deref(), Some("bye"));
        assert_eq!(ok.warnings, vec![serde_json::json!("w1")]);
        assert_eq!(ok.response.success, Some(true));
        assert_eq!(
            ok.response.redirect_url.as_deref(),
            Some("http://example.com/redirect")
        );
    }
}

#[tokio::test]
async fn documented_error_bodies_decode_to_error_envelope() {
    for status in [400, 401, 403, 404, 409] {
        let base = serve(
            status,
            r#"{"status":"BAD_ACCESS_TOKEN","message":"token expired","errorCode":"INVALID_INPUT","response":{}}"#,
            "application/json",
        )
        .await;
        let client = uberall_client::Client::new(&base, Default::default());
        let err = client
            .post_users_logout()
            .send()
            .await
            .expect_err("error status");
        match err {
            uberall_client::Error::ErrorResponse(body) => {
                assert_eq!(body.status().as_u16(), status);
                assert_eq!(body.status, Status::BadAccessToken);
                assert_eq!(body.error_code, Some(ErrorCode::InvalidInput));
                assert_eq!(body.message.as_deref(), Some("token expired"));
            }
            other => panic!("{status}: expected ErrorResponse, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn unlisted_enum_values_and_unknown_fields_still_decode() {
    let base = serve(
        200,
        r#"{"status":"NOT_YET_DOCUMENTED_STATUS","brandNew":1,"response":{"success":false,"extra":"x"}}"#,
        "application/json",
    )
    .await;
    let ok = uberall_client::Client::new(&base, Default::default())
        .post_users_logout()
        .send()
        .await
        .expect("unknown values decode")
        .into_inner();
    assert_eq!(
        ok.status,
        Status::Unrecognized("NOT_YET_DOCUMENTED_STATUS".into())
    );
    assert_eq!(ok.status.as_str(), "NOT_YET_DOCUMENTED_STATUS");
    assert!(!ok.status.is_known());
    assert_eq!(ok.response.success, Some(false));
    assert!(ok.message.is_none() && ok.warnings.is_empty());
}

#[test]
fn open_enums_round_trip_every_documented_value() {
    // At least the seed's values; other docs may add more.
    for value in ["SUCCESS", "BAD_ACCESS_TOKEN", "PARTIAL_ERROR"] {
        assert!(Status::from(value).is_known(), "{value}");
    }
    for value in ["NORMALIZATION_FAILED", "DEPRECATED"] {
        assert!(ErrorCode::from(value).is_known(), "{value}");
    }
    for s in Status::KNOWN {
        let json = serde_json::to_string(s).expect("serialize");
        let back: Status = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(&back, s);
        assert!(back.is_known());
    }
    for c in ErrorCode::KNOWN {
        let back: ErrorCode = c.as_str().parse().expect("infallible");
        assert_eq!(&back, c);
    }
    // `UNKNOWN` is a documented errorCode, distinct from the fallback.
    assert_eq!(ErrorCode::from("UNKNOWN"), ErrorCode::Unknown);
    assert_eq!(
        ErrorCode::from("SOMETHING_NEW"),
        ErrorCode::Unrecognized("SOMETHING_NEW".into())
    );
}

#[test]
fn operation_metadata_matches_the_doc() {
    let op = uberall_client::operations::POST_USERS_LOGOUT;
    assert_eq!(
        (op.id, op.method, op.path),
        ("post_users_logout", "POST", "/users/logout")
    );
}

/// A body of the wrong shape for the documented 200 (`status` must be a string).
const WRONG_SHAPE: &str = r#"{"status":7,"response":{}}"#;

#[tokio::test]
async fn without_a_transport_a_wrong_shape_keeps_status_content_type_and_body() {
    let base = serve(200, WRONG_SHAPE, "application/json").await;
    let err = uberall_client::Client::new(&base, Default::default())
        .post_users_logout()
        .send()
        .await
        .expect_err("wrong shape");
    let failure = uberall_client::hooks::DecodeFailure::find(&err).expect("a decode failure");
    assert_eq!(failure.operation_id, "post_users_logout");
    assert_eq!(failure.status, StatusCode::OK);
    assert_eq!(failure.content_type(), Some("application/json"));
    assert_eq!(&failure.body[..], WRONG_SHAPE.as_bytes());
    assert!(failure.error.is_data(), "{}", failure.error);
    let shown = err.to_string();

    // The SDK's error keeps what was known, and says HTTP 200, not "2xx".
    let sdk = uberall_sdk::Error::from(err);
    let uberall_sdk::Error::Decode(decode) = &sdk else {
        panic!("expected Error::Decode, got {sdk:?} ({shown})");
    };
    assert_eq!(decode.http_status(), Some(StatusCode::OK));
    assert_eq!(decode.content_type(), Some("application/json"));
    assert_eq!(decode.excerpt(), WRONG_SHAPE);
    assert!(
        sdk.to_string()
            .contains("HTTP 200, content-type application/json"),
        "{sdk}"
    );
}

mod decode_hook {
    use std::sync::{Arc, Mutex};

    use uberall_client::hooks::{DecodeFailure, DecodeOutcome, Exchange, Inner, Transport};

    /// What the transport was told about a body that did not decode.
    type Seen = (&'static str, u16, Option<String>, Vec<u8>, bool);

    /// Sends each request once; records decode failures and fails them with its own error.
    #[derive(Default)]
    struct Recording {
        seen: Mutex<Vec<Seen>>,
    }

    impl Transport for Recording {
        fn execute<'a>(
            &'a self,
            client: &'a reqwest::Client,
            request: reqwest::Request,
            _operation_id: &'static str,
        ) -> Exchange<'a> {
            Box::pin(client.execute(request))
        }

        fn decode_error<'a>(&'a self, failure: &'a DecodeFailure) -> DecodeOutcome<'a> {
            self.seen.lock().expect("lock").push((
                failure.operation_id,
                failure.status.as_u16(),
                failure.content_type().map(str::to_owned),
                failure.body.to_vec(),
                failure.error.is_data(),
            ));
            // A recognisable error of the transport's own: a request that cannot be built.
            let own = reqwest::Client::new()
                .get("not a url")
                .build()
                .expect_err("not a URL");
            Box::pin(std::future::ready(Some(own)))
        }
    }

    #[tokio::test]
    async fn a_wrong_shaped_200_reaches_the_transport_with_status_and_content_type() {
        let base = super::serve(200, super::WRONG_SHAPE, "application/json; charset=utf-8").await;
        let transport = Arc::new(Recording::default());
        let client = uberall_client::Client::new(&base, Inner::new(transport.clone()));
        let err = client
            .post_users_logout()
            .send()
            .await
            .expect_err("wrong shape");
        match err {
            uberall_client::Error::CommunicationError(e) => assert!(e.is_builder(), "{e}"),
            other => panic!("expected the transport's error, got {other:?}"),
        }
        let seen = transport.seen.lock().expect("lock").clone();
        assert_eq!(
            seen,
            [(
                "post_users_logout",
                200,
                Some("application/json; charset=utf-8".to_owned()),
                super::WRONG_SHAPE.as_bytes().to_vec(),
                true,
            )]
        );
    }

    #[tokio::test]
    async fn bodies_that_decode_never_reach_decode_error() {
        let transport = Arc::new(Recording::default());
        let base = super::serve(200, super::OK_BODY, "application/json").await;
        let client = uberall_client::Client::new(&base, Inner::new(transport.clone()));
        let ok = client
            .post_users_logout()
            .send()
            .await
            .expect("200 decodes");
        assert_eq!(ok.into_inner().response.success, Some(true));

        let base = super::serve(401, r#"{"status":"BAD_ACCESS_TOKEN"}"#, "application/json").await;
        let client = uberall_client::Client::new(&base, Inner::new(transport.clone()));
        match client.post_users_logout().send().await {
            Err(uberall_client::Error::ErrorResponse(body)) => {
                assert_eq!(body.status().as_u16(), 401);
            }
            other => panic!("expected the error envelope, got {other:?}"),
        }
        assert!(transport.seen.lock().expect("lock").is_empty());
    }

    #[test]
    fn debug_of_a_failure_shows_neither_body_nor_decoder_message() {
        let body = br#""sk_live_SECRET""#;
        let error = serde_json::from_slice::<u32>(body).expect_err("not a number");
        // The decoder's own message quotes the value: Debug must not pass it on.
        assert!(error.to_string().contains("SECRET"));
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        let failure = DecodeFailure::new(
            "post_users_logout",
            reqwest::StatusCode::OK,
            headers,
            body.to_vec().into(),
            error,
        );
        let shown = format!("{failure:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(
            shown.contains("application/json") && shown.contains("200"),
            "{shown}"
        );
    }
}

mod sensitive {
    use uberall_client::types::{PostUsersLoginEnvelope, PostUsersLoginRequest, Sensitive};

    const REQUEST: &str =
        r#"{"email":"jane@example.com","password":"pw-SECRET-1","private_key":"pk-SECRET-2"}"#;
    const ANSWER: &str = r#"{"status":"SUCCESS","response":{"access_token":"at-SECRET-3"}}"#;

    #[test]
    fn debug_of_login_request_and_answer_never_shows_a_secret() {
        let request: PostUsersLoginRequest = serde_json::from_str(REQUEST).expect("request");
        let answer: PostUsersLoginEnvelope = serde_json::from_str(ANSWER).expect("answer");
        for shown in [
            format!("{request:?}"),
            format!("{request:#?}"),
            format!("{answer:?}"),
        ] {
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(shown.contains("Sensitive(<redacted>)"), "{shown}");
        }
        // Fields that are not secrets still show.
        assert!(format!("{request:?}").contains("jane@example.com"));
    }

    #[test]
    fn secrets_round_trip_unchanged_and_are_read_explicitly() {
        let request: PostUsersLoginRequest = serde_json::from_str(REQUEST).expect("request");
        assert_eq!(
            request.password.as_ref().map(Sensitive::expose),
            Some("pw-SECRET-1")
        );
        let back: serde_json::Value = serde_json::to_value(&request).expect("serialize");
        let sent: serde_json::Value = serde_json::from_str(REQUEST).expect("json");
        assert_eq!(back, sent);

        let answer: PostUsersLoginEnvelope = serde_json::from_str(ANSWER).expect("answer");
        let token = answer.response.and_then(|r| r.access_token).expect("token");
        assert_eq!(token.clone().into_inner(), "at-SECRET-3");
        assert_eq!(Sensitive::new("at-SECRET-3"), token);

        // The builder takes the secret wrapped.
        let built = PostUsersLoginRequest::builder()
            .email(Some("jane@example.com".to_owned()))
            .password(Some(Sensitive::from("pw-SECRET-1")))
            .private_key(Some(Sensitive::from("pk-SECRET-2")));
        let built = PostUsersLoginRequest::try_from(built).expect("builds");
        assert_eq!(built, request);
    }
}

/// Every operation's URL is its client's base URL parsed once (`hooks::BaseUrl`) and extended
/// by the operation's formatted path: the same URL as parsing `base + path`, as progenitor's
/// own client does, for bases with and without a path prefix, path parameters progenitor
/// percent-encodes, and paths only a whole parse reads right (those are parsed whole).
mod urls {
    use uberall_client::hooks::BaseUrl;

    #[test]
    fn extending_the_parsed_base_gives_the_url_parsing_base_plus_path_gives() {
        let bases = [
            "http://h/api",
            "http://h/api/",
            "http://h",
            "http://h/",
            "http://127.0.0.1:8080/api/v1",
            "https://sandbox.uberall.com/api",
            "http://h/a%20b",
        ];
        let paths = [
            "/users/logout",
            "/locations/42",
            "/locations/a%2Fb%20c/listings",
            "/locations/%E2%82%AC",
            "/x/../y/./z",
            "/weird?q=1",
            "/frag#x",
            "",
        ];
        for base in bases {
            let parsed = BaseUrl::parse(base).unwrap_or_else(|| panic!("{base} not parsed"));
            assert!(parsed.is_parsed_from(base), "{base}");
            for path in paths {
                let whole = reqwest::Url::parse(&format!("{base}{path}")).unwrap();
                let joined = parsed.join(path);
                if path.contains(['?', '#']) {
                    assert_eq!(joined, None, "{base} + {path}: must be parsed whole");
                } else {
                    assert_eq!(joined.as_ref(), Some(&whole), "{base} + {path}");
                }
            }
        }
    }

    #[test]
    fn bases_written_otherwise_than_url_writes_them_keep_the_whole_parse() {
        for base in [
            "HTTP://H/api",
            "http://h:80/api",
            "http://h/api?x=1",
            "not a url",
        ] {
            assert!(BaseUrl::parse(base).is_none(), "{base}");
        }
        let parsed = BaseUrl::parse("http://h/api").unwrap();
        assert!(!parsed.is_parsed_from("http://other/api"));
        assert!(!parsed.is_parsed_from("http://h/api/"));
    }

    /// The bare client reaches the route under a base with a path prefix, through the parsed
    /// base, and through the whole parse for a base `Url` writes otherwise.
    #[tokio::test]
    async fn a_base_with_a_path_prefix_reaches_the_prefixed_route() {
        use axum::{Router, routing::post};
        let app = Router::new().route(
            "/api/v2/users/logout",
            post(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    super::OK_BODY,
                )
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        for base in [
            format!("http://{addr}/api/v2"),
            format!("http://{addr}/api/x/../v2"),
        ] {
            let client = uberall_client::Client::new(&base, Default::default());
            let response = client.post_users_logout().send().await.unwrap();
            assert_eq!(response.status(), 200, "{base}");
        }
    }
}

/// `Client::with_inner`: a client made from another shares its base URL and pool, and its
/// requests go through the inner value it was given, not the prototype's.
mod with_inner {
    use std::sync::{Arc, Mutex};

    use uberall_client::ClientInfo as _;
    use uberall_client::hooks::{Exchange, Inner, Transport};

    /// Sends each request once and records which operation it was.
    #[derive(Default)]
    struct Recording(Mutex<Vec<&'static str>>);

    impl Transport for Recording {
        fn execute<'a>(
            &'a self,
            client: &'a reqwest::Client,
            request: reqwest::Request,
            operation_id: &'static str,
        ) -> Exchange<'a> {
            self.0.lock().expect("lock").push(operation_id);
            Box::pin(client.execute(request))
        }
    }

    #[tokio::test]
    async fn shares_the_base_url_and_sends_through_its_own_inner() {
        let base = super::serve(200, super::OK_BODY, "application/json").await;
        let prototype = uberall_client::Client::new(&base, Inner::default());
        let transport = Arc::new(Recording::default());
        let made = prototype.with_inner(Inner::new(transport.clone()));
        assert_eq!(made.baseurl(), base);
        assert!(
            std::ptr::eq(made.baseurl(), prototype.baseurl()),
            "the base URL is shared, not copied"
        );
        assert!(made.inner().has_transport() && !prototype.inner().has_transport());

        let envelope = made.post_users_logout().send().await.expect("sent");
        assert_eq!(envelope.into_inner().status, super::Status::Success);
        assert_eq!(*transport.0.lock().expect("lock"), ["post_users_logout"]);

        // Without a transport it sends as the prototype does, and the transport sees nothing.
        let plain = made.with_inner(Inner::default());
        assert!(!plain.inner().has_transport());
        plain.post_users_logout().send().await.expect("sent");
        prototype.post_users_logout().send().await.expect("sent");
        assert_eq!(transport.0.lock().expect("lock").len(), 1);
    }
}
