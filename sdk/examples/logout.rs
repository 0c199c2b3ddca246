//! The SDK's main job, the whole life of a session: log in, call the API, log out, and show
//! that the ended session fails fast.
//!
//! ```text
//! cargo run -p uberall-sdk --example logout
//! ```
//!
//! With no environment it starts the embedded mock API on 127.0.0.1 and runs against it.
//! Against a real server it reads `UBERALL_BASE_URL` (default production) and
//! `UBERALL_API_KEY`, plus either `UBERALL_EMAIL` and `UBERALL_PASSWORD` (it logs in) or
//! `UBERALL_ACCESS_TOKEN` (a token you already have).

use std::{process::ExitCode, time::Instant};

use uberall_sdk::{Client, Error, LoginCredentials, Session, mock::MockServer};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// Where the run's credentials come from.
enum Source {
    /// The embedded mock, kept alive for the whole run.
    Mock(MockServer),
    /// A real server: log in with email and password.
    Login { email: String, password: String },
    /// A real server: a token obtained elsewhere (`UBERALL_ACCESS_TOKEN`).
    Token,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

async fn source() -> Result<Source, Box<dyn std::error::Error>> {
    match (
        var("UBERALL_EMAIL"),
        var("UBERALL_PASSWORD"),
        var("UBERALL_ACCESS_TOKEN"),
    ) {
        (Some(email), Some(password), _) => Ok(Source::Login { email, password }),
        (None, None, Some(_)) => Ok(Source::Token),
        (None, None, None) => {
            let mock = MockServer::start().await?;
            mock.add_user("demo@example.com", "demo-password");
            Ok(Source::Mock(mock))
        }
        _ => Err("set both UBERALL_EMAIL and UBERALL_PASSWORD (or UBERALL_ACCESS_TOKEN)".into()),
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let source = source().await?;
    let session: Session = match &source {
        Source::Mock(mock) => {
            println!("server:  embedded mock at {}", mock.base_url());
            let client = mock.client()?;
            let credentials = LoginCredentials::email_password("demo@example.com", "demo-password");
            client.login(credentials).send().await?
        }
        Source::Login { email, password } => {
            let client = Client::from_env()?;
            println!("server:  {}", client.base_url());
            let credentials = LoginCredentials::email_password(email.as_str(), password.as_str());
            client.login(credentials).send().await?
        }
        Source::Token => {
            let session = Session::from_env()?;
            println!("server:  {}", session.client().base_url());
            session
        }
    };
    println!("login:   ok ({session:?})");

    // Any operation of the spec, through the session with the credentials its doc accepts;
    // its error converts into uberall_sdk::Error with `?`.
    let me = session.api().get_users_me().send().await?.into_inner();
    match me.response.and_then(|response| response.user) {
        Some(user) => println!("me:      ok (user id {:?}, role {})", user.id, user.role),
        None => println!("me:      ok (the answer names no user)"),
    }

    let outcome = session.logout().await?;
    println!("logout:  ok");
    match outcome.redirect_url() {
        Some(url) => println!("  redirect url: {url}"),
        None => println!("  redirect url: (none)"),
    }
    if let Some(message) = outcome.message() {
        println!("  message:      {message}");
    }
    if !outcome.warnings().is_empty() {
        println!("  warnings:     {:?}", outcome.warnings());
    }
    if outcome.was_already_logged_out() {
        println!("  (the token was already unusable; the session is ended)");
    }

    // The session is over for every clone: the next call fails at once and sends nothing.
    let started = Instant::now();
    match session.clone().logout().await {
        Err(err @ Error::SessionEnded) => {
            println!("again:   refused locally in {:?}: {err}", started.elapsed());
            Ok(())
        }
        other => Err(format!("expected SessionEnded, got {other:?}").into()),
    }
}
