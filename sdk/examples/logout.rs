//! The SDK's main job: open a session, log out, and show that the ended session fails fast.
//!
//! ```text
//! cargo run -p uberall-sdk --example logout
//! ```
//!
//! With no environment it starts the embedded mock API on 127.0.0.1 and runs against it.
//! With `UBERALL_ACCESS_TOKEN` set (plus `UBERALL_BASE_URL`, default production, and
//! optionally `UBERALL_API_KEY`) it logs that token out on that server.

use std::{process::ExitCode, time::Instant};

use uberall_sdk::{Error, Session, mock::MockServer};

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

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the mock alive for the whole run when we use it.
    let (session, _mock) = if std::env::var_os("UBERALL_ACCESS_TOKEN").is_some() {
        let session = Session::from_env()?;
        println!("server:  {}", session.client().base_url());
        (session, None)
    } else {
        let mock = MockServer::start().await?;
        println!("server:  embedded mock at {}", mock.base_url());
        let session = mock.client()?.session(mock.issue_token());
        (session, Some(mock))
    };

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
        println!("  (the token was already gone after an interrupted attempt)");
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
