//! `Client::from_env` and `Session::from_env`.
//!
//! The environment is process-global, so this binary holds a single test, which changes the
//! variables only while no other thread of its own runs (a current-thread runtime).

use std::ffi::OsString;

use uberall_sdk::{
    Client, Error, PRODUCTION_BASE_URL, Session,
    mock::{MockResponse, MockServer},
};

const BASE_URL: &str = "UBERALL_BASE_URL";
const API_KEY: &str = "UBERALL_API_KEY";
const ACCESS_TOKEN: &str = "UBERALL_ACCESS_TOKEN";

fn set(name: &str, value: impl Into<OsString>) {
    // SAFETY: this binary runs one test, and its runtime is current-thread: no other thread
    // reads or writes the environment while this runs.
    unsafe { std::env::set_var(name, value.into()) }
}

fn unset(name: &str) {
    // SAFETY: as in `set`.
    unsafe { std::env::remove_var(name) }
}

fn unset_all() {
    for name in [BASE_URL, API_KEY, ACCESS_TOKEN] {
        unset(name);
    }
}

#[track_caller]
fn config_message(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Config(config)) => config.message().to_owned(),
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

#[test]
fn from_env_reads_base_url_api_key_and_token() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Nothing set: the client defaults to production, the session needs a token.
        unset_all();
        let client = Client::from_env().expect("defaults");
        assert_eq!(client.base_url().as_str(), PRODUCTION_BASE_URL);
        let message = config_message(Session::from_env());
        assert!(message.contains(ACCESS_TOKEN), "{message}");

        // Empty and blank are the same as unset.
        set(BASE_URL, "  ");
        set(API_KEY, "");
        set(ACCESS_TOKEN, "");
        assert_eq!(
            Client::from_env().unwrap().base_url().as_str(),
            PRODUCTION_BASE_URL
        );
        assert!(config_message(Session::from_env()).contains(ACCESS_TOKEN));

        // Everything set: the session talks to that server with those credentials.
        let mock = MockServer::start().await.unwrap();
        let token = mock.issue_token();
        set(BASE_URL, mock.base_url());
        set(API_KEY, mock.api_key().unwrap());
        set(ACCESS_TOKEN, token.as_str());
        let session = Session::from_env().expect("session from env");
        assert_eq!(session.client().base_url().as_str(), mock.base_url());
        assert!(!format!("{session:?} {:?}", session.client()).contains(&token));
        session.logout().await.expect("logout through env config");
        let request = &mock.requests()[0];
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {token}").as_str())
        );
        assert_eq!(request.header("x-api-key"), mock.api_key());
        assert!(!mock.is_token_live(&token));

        // No API key configured: no X-API-KEY header at all.
        let keyless = MockServer::builder().no_api_key().start().await.unwrap();
        let token = keyless.issue_token();
        set(BASE_URL, keyless.base_url());
        unset(API_KEY);
        set(ACCESS_TOKEN, token.as_str());
        Session::from_env().unwrap().logout().await.unwrap();
        assert!(keyless.requests()[0].header("x-api-key").is_none());

        // Otherwise the production defaults apply, retries included.
        keyless.clear_requests();
        keyless.enqueue(MockResponse::new(503));
        set(ACCESS_TOKEN, keyless.issue_token());
        Session::from_env()
            .unwrap()
            .logout()
            .await
            .expect("retried");
        assert_eq!(keyless.request_count(), 2);

        // Clear text to another host is refused from the environment too.
        set(BASE_URL, "http://uberall.example/api");
        let message = config_message(Client::from_env());
        assert!(message.contains("allow_insecure_http"), "{message}");
        assert!(config_message(Session::from_env()).contains("allow_insecure_http"));

        // A token that cannot be a header fails without being sent or echoed.
        set(BASE_URL, mock.base_url());
        set(API_KEY, mock.api_key().unwrap());
        set(ACCESS_TOKEN, "token with spaces");
        let before = mock.request_count();
        let err = Session::from_env().unwrap().logout().await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(!err.to_string().contains("token with spaces"));
        assert_eq!(mock.request_count(), before);

        // A value that is not UTF-8 is reported by name.
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            set(API_KEY, OsString::from_vec(vec![0x6b, 0xff, 0x79]));
            let message = config_message(Client::from_env());
            assert!(message.contains(API_KEY), "{message}");
        }

        unset_all();
    });
}
