//! `POST /users/login`: the credential pairs it accepts, and the login that opens a session.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use uberall_client::types;

use crate::{
    client::Client,
    error::{Error, ResponseError},
    session::Session,
};

/// What `POST /users/login` accepts: an email or a user id, with a password or the account's
/// private API key. The accepted pairs are the three constructors.
///
/// `Debug` shows who logs in, never the password or key; both are wiped on drop.
///
/// ```
/// use uberall_sdk::LoginCredentials;
///
/// let credentials = LoginCredentials::email_password("jane.doe@example.com", "hunter2");
/// assert!(!format!("{credentials:?}").contains("hunter2"));
/// // Or with the account's private API key instead of a password:
/// let by_email = LoginCredentials::email_private_key("jane.doe@example.com", "my-private-key");
/// let by_id = LoginCredentials::user_id_private_key(42, "my-private-key");
/// # drop((by_email, by_id));
/// ```
///
/// [`Client::login`](crate::Client::login) shows a login with them.
#[derive(Clone)]
pub struct LoginCredentials {
    who: Who,
    proof: Proof,
}

#[derive(Clone)]
enum Who {
    Email(String),
    UserId(i64),
}

#[derive(Clone)]
enum Proof {
    Password(SecretString),
    PrivateKey(SecretString),
}

impl LoginCredentials {
    /// A user's email and password.
    /// See the [`LoginCredentials`] example.
    pub fn email_password(email: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self {
            who: Who::Email(email.into()),
            proof: Proof::Password(password.into()),
        }
    }

    /// A user's email and the account's private API key (what the client sends as
    /// `X-API-KEY`): a server acting for one of its users.
    /// See the [`LoginCredentials`] example.
    pub fn email_private_key(
        email: impl Into<String>,
        private_key: impl Into<SecretString>,
    ) -> Self {
        Self {
            who: Who::Email(email.into()),
            proof: Proof::PrivateKey(private_key.into()),
        }
    }

    /// A user's id and the account's private API key.
    /// See the [`LoginCredentials`] example.
    pub fn user_id_private_key(user_id: i64, private_key: impl Into<SecretString>) -> Self {
        Self {
            who: Who::UserId(user_id),
            proof: Proof::PrivateKey(private_key.into()),
        }
    }

    /// The generated request body. The secret is copied into the generated redacting type.
    fn body(&self) -> types::PostUsersLoginRequest {
        let (email, user_id) = match &self.who {
            Who::Email(email) => (Some(email.clone()), None),
            Who::UserId(id) => (None, Some(*id)),
        };
        let (password, private_key) = match &self.proof {
            Proof::Password(p) => (Some(p.expose_secret().into()), None),
            Proof::PrivateKey(k) => (None, Some(k.expose_secret().into())),
        };
        types::PostUsersLoginRequest {
            email,
            user_id,
            password,
            private_key,
        }
    }
}

impl fmt::Debug for LoginCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("LoginCredentials");
        match &self.who {
            Who::Email(email) => s.field("email", email),
            Who::UserId(id) => s.field("user_id", id),
        };
        match &self.proof {
            Proof::Password(_) => s.field("password", &"[REDACTED]"),
            Proof::PrivateKey(_) => s.field("private_key", &"[REDACTED]"),
        };
        s.finish()
    }
}

/// A login about to be sent, from [`Client::login`]: set options, then [`send`](Self::send).
#[derive(Debug)]
#[must_use = "nothing is sent until `send().await`"]
pub struct LoginBuilder {
    client: Client,
    credentials: LoginCredentials,
    renew: bool,
}

impl LoginBuilder {
    pub(crate) fn new(client: Client, credentials: LoginCredentials) -> Self {
        Self {
            client,
            credentials,
            renew: true,
        }
    }

    /// Whether the session logs in again, once, when the API answers a call
    /// `BAD_ACCESS_TOKEN` (default `true`); see [`Session`] for the rule. With `false` that
    /// answer is returned as an [`Error::Api`], and the credentials are not kept.
    pub fn renew_on_expiry(mut self, renew: bool) -> Self {
        self.renew = renew;
        self
    }

    /// Sends `POST /users/login` (with no credential header: the operation declares no
    /// security) and returns a session holding the token it received.
    ///
    /// The login is retried only when it cannot have been processed (the connection failed,
    /// or the server answered 429/503 or `QUOTA_LIMIT_EXCEED`), under the client's deadline.
    ///
    /// # Errors
    ///
    /// Refused credentials are an [`Error::Api`] for which [`Error::is_auth`] holds (401/403,
    /// `NOT_AUTHORIZED`, `BAD_PRIVATE_KEY`, ...). A success without `response.access_token`
    /// is an [`Error::Decode`]. Otherwise whatever the request ended with, as for any call.
    pub async fn send(self) -> Result<Session, Error> {
        let token = access_token(&self.client, &self.credentials).await?;
        let renewal = self.renew.then_some(self.credentials);
        Ok(Session::logged_in(self.client, token, renewal))
    }
}

/// One `POST /users/login` through the client's transport: its access token.
pub(crate) async fn access_token(
    client: &Client,
    credentials: &LoginCredentials,
) -> Result<SecretString, Error> {
    let response = client
        .api()
        .post_users_login()
        .body(credentials.body())
        .send()
        .await?;
    // The published description marks neither `response` nor its token required.
    let token = response
        .into_inner()
        .response
        .and_then(|response| response.access_token)
        .filter(|token| !token.expose().trim().is_empty());
    let Some(token) = token else {
        return Err(Error::Decode(ResponseError::new(
            None,
            None,
            String::new(),
            Some(
                "the login succeeded but its response.access_token is missing or empty".to_owned(),
            ),
            None,
        )));
    };
    Ok(SecretString::from(token.into_inner()))
}
