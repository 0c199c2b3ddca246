//! The mock's credentials: each operation's security requirement checked against what a
//! request carries, the users a test configures and the tokens login issues to them.
//!
//! Header names and the token's form come from [`crate::wire`], where the transport takes them.

use std::collections::HashSet;

use axum::http::HeaderMap;
use serde_json::Value;
use uberall_client::operations::Operation;

use super::MockState;
use crate::{
    Status,
    wire::{API_KEY_HEADER, Credential, TOKEN_HEADER, token_of},
};

/// A user login accepts, from [`MockServer::add_user`](super::MockServer::add_user).
#[derive(Debug, Clone)]
pub(super) struct User {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) password: String,
}

/// The tokens and users of one mock.
#[derive(Default)]
pub(super) struct Accounts {
    pub(super) tokens: HashSet<String>,
    pub(super) users: Vec<User>,
}

/// A refusal: HTTP status, envelope `status` and message.
pub(super) type Refusal = (u16, Status, String);

/// A new random token.
pub(super) fn new_token() -> String {
    format!(
        "mock-token-{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

/// Checks a request against `operation.security`.
///
/// Every credential sent is checked, whether or not the operation needs it: a wrong key or a
/// dead token is refused (`BAD_PRIVATE_KEY`, `BAD_ACCESS_TOKEN`), as a server that reads every
/// credential header would. Then at least one alternative of the requirement must be met by
/// what was sent. `consume` invalidates the token in the same step, so that two concurrent
/// logouts cannot both succeed.
pub(super) fn authorize(
    state: &MockState,
    operation: &Operation,
    headers: &HeaderMap,
    consume: bool,
) -> Result<(), Refusal> {
    if operation.security.is_empty() {
        return Ok(());
    }
    let key = headers.get(&API_KEY_HEADER);
    if let (Some(sent), Some(expected)) = (key, &state.api_key)
        && sent.as_bytes() != expected.as_bytes()
    {
        return Err((401, Status::BadPrivateKey, "invalid API key".to_owned()));
    }
    let token = headers
        .get(&TOKEN_HEADER)
        .map(|v| v.to_str().map(token_of).unwrap_or_default());
    if let Some(token) = token {
        let mut inner = state.lock();
        let live = if consume {
            inner.accounts.tokens.remove(token)
        } else {
            inner.accounts.tokens.contains(token)
        };
        if !live {
            return Err((
                401,
                Status::BadAccessToken,
                "access token invalid or expired".to_owned(),
            ));
        }
    }
    let met = |scheme: &str| match Credential::of_scheme(scheme) {
        Some(Credential::ApiKey) => key.is_some() || state.api_key.is_none(),
        Some(Credential::AccessToken) => token.is_some(),
        None => headers.contains_key(scheme),
    };
    if operation
        .security
        .iter()
        .any(|alternative| alternative.iter().all(|scheme| met(scheme)))
    {
        return Ok(());
    }
    let accepted = operation
        .security
        .iter()
        .map(|alternative| alternative.join(" + "))
        .collect::<Vec<_>>()
        .join(" or ");
    Err((
        401,
        Status::NotAuthorized,
        format!("credentials missing: {} accepts {accepted}", operation.id),
    ))
}

/// `POST /users/login`: a token for a configured user, or the refusal. Accepted pairs:
/// email + password, email + private key, user id + private key, where the private key is
/// the mock's API key.
pub(super) fn login(state: &MockState, body: &[u8]) -> Result<String, Refusal> {
    let command: Value = serde_json::from_slice(body).map_err(|err| {
        (
            400,
            Status::BadRequest,
            format!("the body is not a JSON LoginCommand: {err}"),
        )
    })?;
    let text = |key: &str| command.get(key).and_then(Value::as_str);
    let (email, user_id) = (text("email"), command.get("userId").and_then(Value::as_i64));
    let (password, private_key) = (text("password"), text("private_key"));
    let mut inner = state.lock();
    let user = match (email, user_id) {
        (Some(email), _) => inner.accounts.users.iter().find(|u| u.email == email),
        (None, Some(id)) => inner.accounts.users.iter().find(|u| u.id == id),
        (None, None) => {
            return Err((
                400,
                Status::MissingParameter,
                "email or userId is required".to_owned(),
            ));
        }
    };
    let accepted = match (password, private_key) {
        (Some(password), None) if email.is_some() => user.is_some_and(|u| u.password == password),
        (None, Some(key)) => {
            if state.api_key.as_deref() != Some(key) {
                return Err((401, Status::BadPrivateKey, "invalid private key".to_owned()));
            }
            user.is_some()
        }
        _ => {
            return Err((
                400,
                Status::InvalidParameter,
                "send [email, password], [email, private_key] or [userId, private_key]".to_owned(),
            ));
        }
    };
    if !accepted {
        return Err((
            401,
            Status::NotAuthorized,
            "unknown user or wrong password".to_owned(),
        ));
    }
    let token = new_token();
    inner.accounts.tokens.insert(token.clone());
    Ok(token)
}
