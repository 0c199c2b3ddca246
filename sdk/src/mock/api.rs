//! The mock's own answers: credentials, the emulated operations and the refusals, every
//! envelope built from the generated types.

use std::fmt::Display;

use axum::{
    body::Body,
    http::{
        HeaderMap, HeaderValue, Response, StatusCode,
        header::{ALLOW, CONTENT_TYPE},
    },
};
use bytes::Bytes;
use serde::Serialize;
use uberall_client::{
    operations::{self, Operation},
    types::{ErrorEnvelope, PostUsersLoginEnvelope, PostUsersLoginResponse, builder},
};

use super::{MockState, auth};
use crate::Status;

/// An error envelope with `status` and `message`, ready for an `errorCode`.
pub(super) fn error_envelope(status: Status, message: &str) -> builder::ErrorEnvelope {
    ErrorEnvelope::builder()
        .status(status)
        .message(Some(message.to_owned()))
}

/// Status, content type and body of an envelope. A builder that was left incomplete or a
/// value that does not serialise is a bug in the mock; it answers 500 in plain text saying
/// so rather than panicking inside a test's server.
pub(super) fn envelope_parts<T: Serialize, E: Display>(
    status: StatusCode,
    envelope: Result<T, E>,
) -> (StatusCode, &'static str, Bytes) {
    let built = envelope
        .map_err(|err| err.to_string())
        .and_then(|envelope| serde_json::to_vec(&envelope).map_err(|err| err.to_string()));
    match built {
        Ok(body) => (status, "application/json", Bytes::from(body)),
        Err(err) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            Bytes::from(format!(
                "the uberall mock could not build its envelope: {err}"
            )),
        ),
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn envelope<T: Serialize, E: Display>(
    status: StatusCode,
    envelope: Result<T, E>,
) -> Response<Body> {
    let (status, content_type, body) = envelope_parts(status, envelope);
    respond(status, content_type, body)
}

fn error(http: StatusCode, status: Status, message: &str) -> Response<Body> {
    envelope::<ErrorEnvelope, _>(http, error_envelope(status, message).try_into())
}

/// The answer to a request that matches no operation: 405 if some operation has the path
/// (`allowed` lists their methods), else 404.
pub(super) fn unrouted(allowed: &[&'static str], method: &str, path: &str) -> Response<Body> {
    if allowed.is_empty() {
        return error(
            StatusCode::NOT_FOUND,
            Status::NotFound,
            &format!("no operation of the spec matches {method} {path}"),
        );
    }
    let allowed = allowed.join(", ");
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        Status::from("METHOD_NOT_ALLOWED"),
        &format!("{method} is not allowed on {path}; the spec has {allowed}"),
    );
    if let Ok(value) = HeaderValue::from_str(&allowed) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// The mock's own answer to `operation`: credentials first, then the operation's behaviour.
pub(super) fn answer(
    state: &MockState,
    operation: &Operation,
    headers: &HeaderMap,
    body: &[u8],
) -> Response<Body> {
    // The logout the SDK sends invalidates the token it carries.
    let consume = crate::logout::is_logout(Some(operation));
    if let Err(refusal) = auth::authorize(state, operation, headers, consume) {
        return refused(refusal);
    }
    if operation.id == operations::POST_USERS_LOGIN.id {
        return match auth::login(state, body) {
            Ok(token) => login_success(token),
            Err(refusal) => refused(refusal),
        };
    }
    match operation.example {
        Some((status, body)) => respond(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            "application/json",
            Bytes::from_static(body.as_bytes()),
        ),
        None => error(
            StatusCode::NOT_IMPLEMENTED,
            Status::ServerError,
            &format!(
                "the uberall mock has no answer for operation `{id}` ({method} {path}): its docs \
                 give no example; script one with `mock.on(\"{id}\")`",
                id = operation.id,
                method = operation.method,
                path = operation.path,
            ),
        ),
    }
}

fn refused((http, status, message): auth::Refusal) -> Response<Body> {
    error(
        StatusCode::from_u16(http).unwrap_or(StatusCode::UNAUTHORIZED),
        status,
        &message,
    )
}

fn login_success(token: String) -> Response<Body> {
    let built: Result<PostUsersLoginEnvelope, _> = PostUsersLoginEnvelope::builder()
        .status(Status::Success)
        .response(Some(PostUsersLoginResponse {
            access_token: Some(token.into()),
        }))
        .try_into();
    envelope(StatusCode::OK, built)
}
