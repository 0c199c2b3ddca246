//! Sessions: one access token, shared by every clone, ended once by logout.

use std::{
    fmt,
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError},
};

use futures_util::FutureExt as _;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;
use uberall_client::{
    hooks::{BaseUrl, DecodeFailure, DecodeOutcome, Exchange, Transport},
    operations::Operation,
};

use crate::{
    Status,
    client::{Client, ClientInner, env_var},
    error::{ConfigError, Error},
    login::{self, LoginCredentials},
    logout::{self, LogoutOutcome},
    secret::{Redactor, SecretHeader},
    security::{self, Held},
    transport::{self, Caller, Credentials, Renewal},
};

/// A logged-in user: the [`Client`] plus one access token.
///
/// Every clone shares one state: once any clone logs out, all of them are ended. `Session`
/// is `Send + Sync`; its `Debug` shows no token.
///
/// **Cost.** A live session holds about 130 B of heap beyond the token's own bytes (one
/// shared block, `Bearer ` and, once it has sent a call, the reference count of the token's
/// bytes as sent), so thousands of them are cheap; the base URL and connection pool are the
/// [`Client`]'s, shared. The handle itself is 48 B: it carries the generated client by
/// value, so that [`api`](Session::api) hands out a reference and a call builds nothing.
/// Cloning a session takes reference counts and allocates nothing.
///
/// Calling the API: [`api`](Session::api) hands out the generated client bound to this
/// session; every operation it has goes through the session's credentials and the client's
/// policy (retries, timeouts, deadline, body cap, redaction, tracing).
///
/// Where it comes from: [`Client::login`] (it logged a user in and holds the token it
/// received) or [`Client::session`] (a token you already have).
///
/// **Renewal.** A session opened by [`Client::login`] whose call is answered `401
/// BAD_ACCESS_TOKEN` (the request was refused at the door: it did nothing) logs in again with
/// the same credentials and sends that call once more with the fresh token, which all clones
/// use from then on. Clones hitting the expiry together share one login; a failed login is
/// shared too, not repeated. A call is resent at most once (a second rejection is returned),
/// never once the session is logging out or ended, and logout itself never renews.
/// [`LoginBuilder::renew_on_expiry(false)`](crate::LoginBuilder::renew_on_expiry) turns it
/// off; a session from [`Client::session`] never renews (it has nothing to log in with).
///
/// Logging out:
/// * [`logout`](Session::logout) sends `POST /users/logout` once, however many clones call it
///   at the same time.
/// * [`scope`](Session::scope) runs your async work and then always logs out, whether the work
///   returned `Ok`, `Err`, or panicked.
#[derive(Clone)]
pub struct Session {
    /// The generated client bound to this session, built once so that [`Session::api`]
    /// costs nothing. Held by value, not behind another shared block: that block would add
    /// 16 B of heap header and 40 B of client to every live session. Its transport is
    /// `caller` (the generated client offers no way back to it, hence the second field).
    api: uberall_client::Client,
    caller: Arc<SessionCaller>,
}

/// The session's shared state, in its role as the caller the transport sends for
/// ([`Caller`]): whose credentials, and whether it may still send. Every clone of a
/// [`Session`] and the generated client's transport point to it; it holds neither (the
/// generated client holding what holds it would never be freed).
///
/// One heap block of 96 B per session (16 of them the `Arc`'s counts); the budget of
/// `cargo bench --bench memory` is 128 B beyond the token, and `Bearer ` and the token
/// bytes' reference count (24 B, from the first request on) share it. Hence one lock for
/// token and phase, and the login's extras boxed.
pub(crate) struct SessionCaller {
    client: Client,
    state: Mutex<State>,
    /// `Some` for a session opened by [`Client::login`]; a session from a token never needs
    /// it, and pays one pointer.
    login: Option<Box<Login>>,
}

/// What changes over a session's life, behind one lock: a call reads the phase and clones
/// the token in one acquisition.
struct State {
    /// `Err` when the token could not be a header value; every call then reports it.
    /// Replaced by a renewal; a request in flight keeps the clone it was sent with.
    token: Result<SecretHeader, ConfigError>,
    /// The logout in flight, or once `ended` the one that ended the session (kept for the
    /// outcome [`Session::scope`] reports).
    logout: Option<Arc<Flight>>,
    ended: bool,
    /// An earlier logout attempt may have taken effect before it failed or was cancelled
    /// (for the idempotence rule of [`Session::logout`]).
    logout_may_have_taken_effect: bool,
}

/// Where a session is in its life, as read from [`State`].
enum Phase<'a> {
    /// The token is (as far as we know) valid.
    Live,
    /// One caller is sending the logout; others wait on the flight.
    LoggingOut(&'a Arc<Flight>),
    /// Logged out; the flight keeps the outcome for [`Session::scope`].
    Ended(&'a Arc<Flight>),
}

impl State {
    fn phase(&self) -> Phase<'_> {
        match &self.logout {
            None => Phase::Live,
            Some(flight) if self.ended => Phase::Ended(flight),
            Some(flight) => Phase::LoggingOut(flight),
        }
    }

    fn is_live(&self) -> bool {
        self.logout.is_none()
    }
}

/// What only a session opened by [`Client::login`] has.
struct Login {
    /// How it logs in again (`None` when turned off).
    renewer: Option<Renewer>,
}

/// One logout request and everyone waiting for it.
#[derive(Default)]
struct Flight {
    settled: OnceLock<Settled>,
    done: Notify,
}

enum Settled {
    Finished(Result<LogoutOutcome, Error>),
    /// The caller sending it was cancelled; a waiter takes over.
    Abandoned,
}

impl Flight {
    fn settle(&self, settled: Settled) {
        // Only the leader settles, once; a second `set` cannot happen.
        let _ = self.settled.set(settled);
        self.done.notify_waiters();
    }

    async fn wait(&self) -> &Settled {
        loop {
            let notified = self.done.notified();
            let mut notified = std::pin::pin!(notified);
            // Register before checking, so that a `settle` between the check and the await
            // still wakes us.
            notified.as_mut().enable();
            if let Some(settled) = self.settled.get() {
                return settled;
            }
            notified.await;
        }
    }
}

impl SessionCaller {
    fn state(&self) -> MutexGuard<'_, State> {
        // The lock is never held across code that can panic; recover rather than propagate.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_ended(&self) -> bool {
        self.state().ended
    }

    fn renewer(&self) -> Option<&Renewer> {
        self.login.as_ref()?.renewer.as_ref()
    }

    /// Logs in again for every caller holding `stale`: the first one sends the login, the
    /// others wait for it and use its token (or its error). Never once the session is
    /// logging out or ended.
    async fn renew_from(&self, renewer: &Renewer, stale: &SecretHeader) -> Result<(), Error> {
        let mut failed = renewer.flight.lock().await;
        {
            let state = self.state();
            if !state.is_live() {
                return Err(Error::SessionEnded);
            }
            if state.token.as_ref().is_ok_and(|current| !current.is(stale)) {
                return Ok(()); // renewed by another caller meanwhile
            }
        }
        if let Some((failed_for, err)) = &*failed
            && failed_for.is(stale)
        {
            return Err(err.clone());
        }
        match login::access_token(&self.client, &renewer.credentials).await {
            Ok(token) => {
                let fresh = self.client.inner.authorization(token.expose_secret());
                self.state().token = fresh;
                Ok(())
            }
            Err(err) => {
                *failed = Some((stale.clone(), err.clone()));
                Err(err)
            }
        }
    }
}

/// How a session opened by login logs in again.
struct Renewer {
    credentials: LoginCredentials,
    /// Held while one renewal is in flight; remembers the last failed one and the token it
    /// was for (a clone keeps it alive, so [`SecretHeader::is`] cannot be fooled by a reused
    /// address), so that callers waiting on it share its error instead of logging in again.
    flight: tokio::sync::Mutex<Option<(SecretHeader, Error)>>,
}

impl Caller for SessionCaller {
    fn client(&self) -> &ClientInner {
        &self.client.inner
    }

    /// The token where the operation accepts `Authorization`, the client's API key where it
    /// accepts `X-API-KEY`; nothing once logged out.
    fn credentials(&self, operation: Option<&'static Operation>) -> Result<Credentials<'_>, Error> {
        let state = self.state();
        if state.ended {
            return Err(Error::SessionEnded);
        }
        let api_key = self.client.inner.api_key();
        let held = Held {
            token: true,
            api_key: api_key.is_some(),
        };
        let send = match operation {
            Some(operation) => {
                security::select(operation, held).map_err(Error::MissingCredential)?
            }
            None => held,
        };
        let token = match send.token {
            true => Some(state.token.clone().map_err(Error::Config)?),
            false => None,
        };
        Ok(Credentials {
            token,
            api_key: api_key.filter(|_| send.api_key),
        })
    }

    /// A session opened by login renews, except on its logout: a token the API calls bad is
    /// unusable already, and logging in just to log out would make no sense.
    fn renews(&self, operation: Option<&'static Operation>) -> bool {
        self.renewer().is_some() && !logout::is_logout(operation)
    }

    /// Only a live session renews: one logging out or ended returns the rejection as is.
    fn renew<'a>(&'a self, stale: &'a SecretHeader) -> Option<Renewal<'a>> {
        let renewer = self.renewer()?;
        if !self.state().is_live() {
            return None;
        }
        Some(Box::pin(self.renew_from(renewer, stale)))
    }

    /// A logout whose answer was lost may have taken effect (for [`Session::logout`]'s
    /// idempotence rule).
    fn maybe_processed(&self, operation: Option<&'static Operation>) {
        if logout::is_logout(operation) {
            self.state().logout_may_have_taken_effect = true;
        }
    }
}

impl Transport for SessionCaller {
    fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Exchange<'a> {
        transport::execute(self, http, request, operation_id)
    }

    fn decode_error<'a>(&'a self, failure: &'a DecodeFailure) -> DecodeOutcome<'a> {
        transport::decode_error(self, failure)
    }

    fn base_url(&self) -> Option<&BaseUrl> {
        self.client.inner.operations_base()
    }
}

/// What [`Session::scope`] returns: the work's own output and how the logout went.
#[derive(Debug)]
#[non_exhaustive]
#[must_use = "the logout result says whether the token is really gone"]
pub struct Scoped<T> {
    /// What the work returned.
    pub output: T,
    /// The logout sent after the work finished (or the work's own logout, if it did one).
    pub logout: Result<LogoutOutcome, Error>,
}

impl Session {
    pub(crate) fn new(client: Client, authorization: Result<SecretHeader, ConfigError>) -> Self {
        Self::with(client, authorization, None)
    }

    /// A session holding the token `POST /users/login` returned, renewing itself with
    /// `renewal` when given.
    pub(crate) fn logged_in(
        client: Client,
        token: SecretString,
        renewal: Option<LoginCredentials>,
    ) -> Self {
        let authorization = client.inner.authorization(token.expose_secret());
        let renewer = renewal.map(|credentials| Renewer {
            credentials,
            flight: tokio::sync::Mutex::new(None),
        });
        Self::with(client, authorization, Some(Box::new(Login { renewer })))
    }

    fn with(
        client: Client,
        authorization: Result<SecretHeader, ConfigError>,
        login: Option<Box<Login>>,
    ) -> Self {
        let caller = Arc::new(SessionCaller {
            client,
            state: Mutex::new(State {
                token: authorization,
                logout: None,
                ended: false,
                logout_may_have_taken_effect: false,
            }),
            login,
        });
        let api = caller
            .client
            .inner
            .generated(Arc::clone(&caller) as Arc<dyn Transport>);
        Self { api, caller }
    }

    /// A session from the environment: the client from [`Client::from_env`] and the token from
    /// `UBERALL_ACCESS_TOKEN` (required).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `UBERALL_ACCESS_TOKEN` is unset or empty, a variable is not
    /// UTF-8, or the client configuration is invalid (see [`Client::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        let client = Client::from_env()?;
        let token = env_var("UBERALL_ACCESS_TOKEN")?
            .ok_or_else(|| ConfigError::new("UBERALL_ACCESS_TOKEN is not set"))?;
        Ok(client.session(token))
    }

    /// The client this session sends through. See the [`is_ended`](Self::is_ended) example.
    pub fn client(&self) -> &Client {
        &self.caller.client
    }

    /// Whether this session (through any clone) has logged out.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> uberall_sdk::Result<()> {
    /// # let mock = uberall_sdk::mock::MockServer::start().await.unwrap();
    /// let session = mock.client()?.session(mock.issue_token());
    /// let clone = session.clone();
    /// session.logout().await?;
    /// assert!(clone.is_ended());
    /// let fresh = clone.client().session(mock.issue_token()); // same client, new token
    /// assert!(!fresh.is_ended());
    /// # Ok(()) }
    /// ```
    pub fn is_ended(&self) -> bool {
        self.caller.is_ended()
    }

    /// The generated client (`uberall_client::Client`) bound to this session: every operation
    /// of the spec, each sent with the credentials its doc accepts (this session's token where
    /// it accepts `Authorization`, the client's API key where it accepts `X-API-KEY`, nothing
    /// where it declares no security), retried, timed out, capped and traced by the SDK. Its
    /// errors convert into [`Error`] with `?`; a requirement this session cannot meet (a scheme
    /// the SDK does not know, a key the client lacks) is [`Error::MissingCredential`], and
    /// nothing is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> uberall_sdk::Result<()> {
    /// # let mock = uberall_sdk::mock::MockServer::start().await.unwrap();
    /// # let session = mock.client()?.session(mock.issue_token());
    /// let envelope = session.api().post_users_logout().send().await?.into_inner();
    /// assert_eq!(envelope.status, uberall_sdk::Status::Success);
    /// # Ok(()) }
    /// ```
    ///
    /// Free: the session's generated client, built once when the session was. Clone it to
    /// keep it beyond the session handle's borrow. Calls made after the session has logged
    /// out fail with [`Error::SessionEnded`] and send nothing. Prefer
    /// [`logout`](Session::logout) over calling `post_users_logout` yourself: it ends the
    /// session for every clone.
    pub fn api(&self) -> &uberall_client::Client {
        &self.api
    }

    /// Logs out: `POST /users/logout` with this session's token, invalidating it.
    ///
    /// * On success the session is ended for every clone; any later call returns
    ///   [`Error::SessionEnded`] at once and sends nothing.
    /// * Concurrent calls on clones send exactly one request; every caller gets its outcome.
    ///   If the caller sending it is cancelled, a waiting caller sends it instead.
    /// * On failure the session stays live, so the logout can be tried again.
    ///
    /// **Idempotence rule.** An earlier attempt whose answer was lost may have logged out
    /// already: one that timed out or whose connection dropped after sending, whose answer
    /// could not be read, or that a gateway answered with a bare 5xx, in this call (before a
    /// retry) or in an earlier call of this session that failed that way or was cancelled. If
    /// the server then answers `BAD_ACCESS_TOKEN`, the token is gone, which is what was asked:
    /// the result is `Ok` with [`LogoutOutcome::was_already_logged_out`] set. Otherwise
    /// (first attempt, or earlier attempts answered by the API itself) `BAD_ACCESS_TOKEN` is
    /// an [`Error::Api`]: the token was never valid, or expired. A session opened by
    /// [`Client::login`] does not renew to log out: a token the API calls bad is unusable
    /// already, so `BAD_ACCESS_TOKEN` ends the session with
    /// [`LogoutOutcome::was_already_logged_out`] set.
    ///
    /// # Errors
    ///
    /// [`Error::SessionEnded`] once the session has logged out; otherwise whatever the request
    /// ended with after retries: [`Error::Api`], [`Error::Timeout`], [`Error::Transport`],
    /// [`Error::Decode`], [`Error::UnexpectedStatus`], [`Error::BodyTooLarge`], or
    /// [`Error::Config`] for a token that cannot be sent.
    pub async fn logout(&self) -> Result<LogoutOutcome, Error> {
        self.logout_or_ended(false).await
    }

    /// Runs `work` with this session, then logs out, whatever happened.
    ///
    /// * `work` returns: the logout follows, and both results come back in [`Scoped`].
    /// * `work` panics: the logout is sent, then the panic resumes.
    /// * `work` logged out itself: that logout's outcome is reported.
    /// * The returned future is dropped before finishing (e.g. a `select!` or timeout
    ///   cancelled it): the logout is spawned on the current Tokio runtime.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = uberall_sdk::mock::MockServer::start().await?;
    /// # let session = mock.client()?.session(mock.issue_token());
    /// let scoped = session
    ///     .scope(async |session| {
    ///         // ... calls that may fail ...
    ///         # let _ = session;
    ///         Err::<(), &str>("something went wrong")
    ///     })
    ///     .await;
    /// assert!(scoped.output.is_err());
    /// assert!(scoped.logout.is_ok(), "the token is gone even though the work failed");
    /// # Ok(()) }
    /// ```
    pub async fn scope<T>(self, work: impl AsyncFnOnce(&Session) -> T) -> Scoped<T> {
        let mut on_cancel = LogoutOnDrop(Some(self.clone()));
        let output = AssertUnwindSafe(work(&self)).catch_unwind().await;
        let logout = self.logout_or_ended(true).await;
        on_cancel.0 = None;
        match output {
            Ok(output) => Scoped { output, logout },
            Err(panic) => {
                if let Err(err) = &logout {
                    tracing::warn!(error = %err, "logout after a panic in Session::scope failed");
                }
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Logs out; with `ended_is_ok`, an already-ended session reports the outcome that ended it.
    async fn logout_or_ended(&self, ended_is_ok: bool) -> Result<LogoutOutcome, Error> {
        loop {
            let (flight, lead_with): (_, bool) = {
                let mut state = self.caller.state();
                match state.phase() {
                    Phase::Ended(flight) if ended_is_ok => match flight.settled.get() {
                        Some(Settled::Finished(result)) => return result.clone(),
                        _ => return Err(self.refused()),
                    },
                    Phase::Ended(_) => return Err(self.refused()),
                    Phase::LoggingOut(flight) => (Arc::clone(flight), false),
                    Phase::Live => {
                        let flight = Arc::new(Flight::default());
                        state.logout = Some(Arc::clone(&flight));
                        (flight, true)
                    }
                }
            };
            if lead_with {
                return self.lead(flight).await;
            }
            match flight.wait().await {
                Settled::Finished(result) => return result.clone(),
                // The leader was cancelled: go round and take over (or follow whoever did).
                Settled::Abandoned => {}
            }
        }
    }

    /// [`Error::SessionEnded`] for a logout after the session ended, traced as a refused
    /// request.
    fn refused(&self) -> Error {
        let logout = logout::OPERATION;
        let err = Error::SessionEnded;
        transport::refused(
            &self.client().inner,
            logout.id,
            logout.method,
            logout.path,
            &err,
        );
        err
    }

    /// Sends the logout for everyone waiting on `flight`, then moves the session on.
    async fn lead(&self, flight: Arc<Flight>) -> Result<LogoutOutcome, Error> {
        let mut abandon = AbandonOnDrop {
            caller: &self.caller,
            flight: Some(&flight),
        };
        let result = self.send_logout().await;
        abandon.flight = None;
        {
            // Ended keeps the flight (its outcome); a failure makes the session live again.
            let mut state = self.caller.state();
            match &result {
                Ok(_) => state.ended = true,
                Err(_) => state.logout = None,
            }
        }
        flight.settle(Settled::Finished(result.clone()));
        result
    }

    /// `POST /users/logout` through the generated client, read as a [`LogoutOutcome`].
    async fn send_logout(&self) -> Result<LogoutOutcome, Error> {
        let caller = &*self.caller;
        match self.api().post_users_logout().send().await {
            Ok(response) => {
                // Under the lock rather than with a clone of the token: reading the outcome
                // awaits nothing, and scrubs only what the envelope carries as text.
                let state = caller.state();
                let redactor =
                    Redactor::new(state.token.as_ref().ok(), caller.client.inner.api_key());
                logout::outcome(response, caller.client.inner.logout_url(), &redactor)
            }
            Err(err) => match Error::from(err) {
                // A session from login: the token the API calls bad is unusable already, so
                // the session ends here (logging in just to log out would make no sense).
                Error::Api(api)
                    if api.status() == &Status::BadAccessToken && caller.login.is_some() =>
                {
                    tracing::debug!("BAD_ACCESS_TOKEN on logout: the token is already unusable");
                    Ok(LogoutOutcome::already_logged_out())
                }
                Error::Api(api)
                    if api.status() == &Status::BadAccessToken
                        && caller.state().logout_may_have_taken_effect =>
                {
                    tracing::debug!(
                        "BAD_ACCESS_TOKEN after an interrupted logout: already logged out"
                    );
                    Ok(LogoutOutcome::already_logged_out())
                }
                err => Err(err),
            },
        }
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match self.caller.state().phase() {
            Phase::Live => "live",
            Phase::LoggingOut(_) => "logging out",
            Phase::Ended(_) => "ended",
        };
        f.debug_struct("Session")
            .field("base_url", &self.client().base_url().as_str())
            .field("access_token", &"[REDACTED]")
            .field("phase", &phase)
            .finish()
    }
}

/// Puts the session back to live and wakes the waiters if the leader is cancelled mid-flight.
struct AbandonOnDrop<'a> {
    caller: &'a SessionCaller,
    flight: Option<&'a Arc<Flight>>,
}

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(flight) = self.flight.take() {
            // The request may have been sent: remember it for the idempotence rule.
            let mut state = self.caller.state();
            state.logout_may_have_taken_effect = true;
            state.logout = None;
            drop(state);
            flight.settle(Settled::Abandoned);
        }
    }
}

/// Finishes a [`Session::scope`] whose future was dropped: logs out in the background.
struct LogoutOnDrop(Option<Session>);

impl Drop for LogoutOnDrop {
    fn drop(&mut self) {
        let Some(session) = self.0.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(err) = session.logout_or_ended(true).await {
                        tracing::warn!(error = %err, "background logout of a cancelled Session::scope failed");
                    }
                });
            }
            Err(_) => tracing::warn!(
                "Session::scope dropped outside a Tokio runtime: the token was not logged out"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let client = Client::builder().build().unwrap();
        let session = client.session("tok-very-secret");
        let debug = format!("{session:?}");
        assert!(!debug.contains("tok-very-secret"), "{debug}");
        assert!(debug.contains("live"));
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_shared_state_fits_the_memory_budget() {
        // The heap a session holds is measured by `cargo bench --bench memory`; this guards
        // the layout that figure rests on: one 16 + 80 B block beside the token's bytes, and
        // the generated client by value in the handle, sharing the client's base URL (no
        // copy of it per session).
        assert_eq!(std::mem::size_of::<uberall_client::Client>(), 40);
        assert_eq!(std::mem::size_of::<SessionCaller>(), 80);
        assert_eq!(
            std::mem::size_of::<Session>(),
            std::mem::size_of::<uberall_client::Client>() + std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn sessions_share_the_clients_base_url() {
        use uberall_client::ClientInfo as _;
        let client = Client::builder().build().unwrap();
        let (one, other) = (client.session("one"), client.session("other"));
        let url = one.api().baseurl();
        assert_eq!(url, crate::PRODUCTION_BASE_URL.trim_end_matches('/'));
        assert!(
            std::ptr::eq(url, other.api().baseurl()),
            "no copy per session"
        );
        assert!(
            std::ptr::eq(url, one.clone().api().baseurl()),
            "no copy per clone"
        );
        assert!(std::ptr::eq(url, client.api().baseurl()));
    }

    #[tokio::test]
    async fn invalid_token_fails_without_sending() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9/api")
            .build()
            .unwrap();
        let err = client.session("has space").logout().await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(!err.to_string().contains("has space"));
    }
}
