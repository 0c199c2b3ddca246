//! The client: configuration, the shared connection pool, and where sessions come from.

use std::{fmt, net::IpAddr, sync::Arc, time::Duration};

use reqwest::{Url, redirect};
use secrecy::{ExposeSecret, SecretString};
use uberall_client::{
    ClientInfo as _,
    hooks::{BaseUrl, DecodeFailure, DecodeOutcome, Exchange, Inner, Transport},
    operations::{self, Operation},
    servers,
};

use crate::{
    error::{ConfigError, Error},
    login::{LoginBuilder, LoginCredentials},
    retry::RetryConfig,
    secret::SecretHeader,
    security::{self, Held},
    session::Session,
    transport::{self, Caller, Credentials},
};

/// Base URL of the production API (from the spec's `servers`), the default of
/// [`ClientBuilder::base_url`].
pub const PRODUCTION_BASE_URL: &str = servers::PRODUCTION;
/// Base URL of the sandbox API (from the spec's `servers`; its API keys differ from
/// production's). Set it with [`ClientBuilder::base_url`], as the [`Client`] example does.
pub const SANDBOX_BASE_URL: &str = servers::SANDBOX;
/// The `User-Agent` sent with every request, by every [`Client`].
pub const USER_AGENT: &str = concat!("uberall-sdk/", env!("CARGO_PKG_VERSION"));

/// Default limit for establishing a connection; see [`ClientBuilder::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one attempt: connect, send, and read the whole response; see
/// [`ClientBuilder::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for a whole call: every attempt and every wait between them; see
/// [`ClientBuilder::deadline`].
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// Default cap on a response body (1 MiB); see [`ClientBuilder::max_response_bytes`].
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Redirect hops followed before giving up.
const MAX_REDIRECTS: usize = 5;

pub use crate::wire::AuthScheme;

/// A handle on the uberall API: configuration plus one shared connection pool.
///
/// Cloning is cheap (one reference count) and every clone shares the pool, so build one
/// `Client` per process and hand out clones. `Client` is `Send + Sync`.
///
/// ```
/// use std::time::Duration;
/// use uberall_sdk::{Client, RetryConfig, SANDBOX_BASE_URL};
///
/// let client = Client::builder()
///     .base_url(SANDBOX_BASE_URL)
///     .api_key("my-private-key")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryConfig::default().with_max_attempts(4))
///     .build()?;
/// let session = client.session("access-token-from-login");
/// # drop(session);
/// # Ok::<(), uberall_sdk::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

/// The configuration every clone of a [`Client`] shares; read by the transport and sessions.
pub(crate) struct ClientInner {
    api_key: Option<SecretHeader>,
    timeout: Duration,
    /// The limit the connection pool applies to a request that sets none: `timeout` on the
    /// SDK's own client, so that most requests need no per-request limit; none on a caller's.
    http_timeout: Option<Duration>,
    deadline: Duration,
    max_response_bytes: usize,
    retry: RetryConfig,
    auth_scheme: AuthScheme,
    /// The generated client every session's and [`Client::api`]'s is made from
    /// (`with_inner`): they share its base URL (without a trailing slash: the operations
    /// append their paths to it) and its connection pool, the one every request uses, instead
    /// of each copying the URL. Its own requests would bypass the SDK, so it never sends any.
    prototype: uberall_client::Client,
    /// The prototype's base URL parsed for the generated operations to extend (see
    /// [`BaseUrl`]).
    operations_base: Option<BaseUrl>,
    /// `base_url` parsed, as given.
    url: Url,
    /// Where logout is sent; a relative `redirectUrl` in its answer is resolved against it.
    logout_url: Arc<Url>,
    /// A table operations are looked up in instead of the spec's (tests, with the mock).
    operations: Option<&'static [Operation]>,
}

impl ClientInner {
    /// The API key, sent as `X-API-KEY`.
    pub(crate) fn api_key(&self) -> Option<&SecretHeader> {
        self.api_key.as_ref()
    }

    /// Limit of one attempt.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The limit the connection pool applies to a request that sets none.
    pub(crate) fn http_timeout(&self) -> Option<Duration> {
        self.http_timeout
    }

    /// Limit of a whole call.
    pub(crate) fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Cap on a response body.
    pub(crate) fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    pub(crate) fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// A generated client of this client's base URL and connection pool whose requests go
    /// through `transport`; it shares the base URL rather than copying it.
    pub(crate) fn generated(&self, transport: Arc<dyn Transport>) -> uberall_client::Client {
        self.prototype.with_inner(Inner::new(transport))
    }

    /// The base URL the generated clients share, parsed once for their operations.
    pub(crate) fn operations_base(&self) -> Option<&BaseUrl> {
        self.operations_base.as_ref()
    }

    /// The base URL as configured.
    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    pub(crate) fn logout_url(&self) -> &Arc<Url> {
        &self.logout_url
    }

    /// The operation with this id (its method, statuses, security).
    pub(crate) fn operation(&self, id: &str) -> Option<&'static Operation> {
        match self.operations {
            None => operations::by_id(id),
            Some(table) => table.iter().find(|op| op.id == id),
        }
    }

    /// The access token as the `Authorization` value of this client's scheme.
    pub(crate) fn authorization(&self, token: &str) -> Result<SecretHeader, ConfigError> {
        SecretHeader::new(self.auth_scheme.prefix(), token, "access token")
    }
}

impl Client {
    /// A builder with the defaults: production base URL, no API key, 10 s connect timeout,
    /// 30 s per-attempt timeout, 60 s per call, [`RetryConfig::default`], `Bearer` tokens,
    /// 1 MiB body cap.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `UBERALL_BASE_URL` (default
    /// [`PRODUCTION_BASE_URL`]) and `UBERALL_API_KEY` (optional). Unset and empty are the same.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when a variable is not UTF-8 or a value is invalid (see
    /// [`ClientBuilder::build`]).
    pub fn from_env() -> Result<Self, Error> {
        let mut builder = Self::builder();
        if let Some(base_url) = env_var("UBERALL_BASE_URL")? {
            builder = builder.base_url(base_url);
        }
        if let Some(api_key) = env_var("UBERALL_API_KEY")? {
            builder = builder.api_key(api_key);
        }
        builder.build()
    }

    /// A session for `access_token` (from `POST /users/login`). Nothing is sent yet.
    ///
    /// A token that cannot be sent in a header (empty, whitespace, non-ASCII) yields a session
    /// whose calls fail with [`Error::Config`] without sending anything.
    pub fn session(&self, access_token: impl Into<SecretString>) -> Session {
        let token: SecretString = access_token.into();
        let authorization = self.inner.authorization(token.expose_secret());
        Session::new(self.clone(), authorization)
    }

    /// The configured base URL. See the [`ClientBuilder`] example.
    pub fn base_url(&self) -> &Url {
        &self.inner.url
    }

    /// The generated client (`uberall_client::Client`) bound to this client alone, with no
    /// session: each operation is sent with the API key where its doc accepts `X-API-KEY`,
    /// with no credential where it declares no security, and refused before sending
    /// ([`Error::MissingCredential`]) where it needs a token. Every guarantee of a session's
    /// calls holds: retries by method, deadline, body cap, redaction, tracing, errors that
    /// convert into [`Error`] with `?`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> uberall_sdk::Result<()> {
    /// # let mock = uberall_sdk::mock::MockServer::start().await.unwrap();
    /// let client = mock.client()?; // with the mock's API key
    /// // Logout accepts the API key alone; it is sent without `Authorization`.
    /// client.api().post_users_logout().send().await?;
    /// assert_eq!(mock.requests()[0].header("authorization"), None);
    /// # Ok(()) }
    /// ```
    ///
    /// Cheap: reference counts on the client's shared state, base URL and connection pool;
    /// nothing is copied.
    pub fn api(&self) -> uberall_client::Client {
        let inner = &self.inner;
        inner.generated(Arc::clone(inner) as Arc<dyn Transport>)
    }

    /// Logs a user in (`POST /users/login`) and opens a [`Session`] holding the token: see
    /// [`LoginBuilder::send`]. The session renews itself when the token expires, unless
    /// [`LoginBuilder::renew_on_expiry`] turns that off.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> uberall_sdk::Result<()> {
    /// # let mock = uberall_sdk::mock::MockServer::start().await.unwrap();
    /// # mock.add_user("jane.doe@example.com", "hunter2");
    /// use uberall_sdk::LoginCredentials;
    ///
    /// let client = mock.client()?;
    /// let credentials = LoginCredentials::email_password("jane.doe@example.com", "hunter2");
    /// let session = client.login(credentials).send().await?;
    /// session.logout().await?;
    /// # Ok(()) }
    /// ```
    pub fn login(&self, credentials: LoginCredentials) -> LoginBuilder {
        LoginBuilder::new(self.clone(), credentials)
    }
}

/// Without a session: the API key, where the operation accepts it.
impl Caller for ClientInner {
    fn client(&self) -> &ClientInner {
        self
    }

    fn credentials(&self, operation: Option<&'static Operation>) -> Result<Credentials<'_>, Error> {
        let held = Held {
            token: false,
            api_key: self.api_key.is_some(),
        };
        let send = match operation {
            Some(operation) => {
                security::select(operation, held).map_err(Error::MissingCredential)?
            }
            None => held,
        };
        Ok(Credentials {
            token: None,
            api_key: self.api_key.as_ref().filter(|_| send.api_key),
        })
    }
}

impl Transport for ClientInner {
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
        self.operations_base()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.prototype.baseurl())
            .field("api_key", &inner.api_key)
            .field("auth_scheme", &inner.auth_scheme)
            .field("timeout", &inner.timeout)
            .field("deadline", &inner.deadline)
            .field("retry", &inner.retry)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; every setting has a default, and [`build`](ClientBuilder::build)
/// reports any invalid one.
///
/// ```
/// use std::time::Duration;
/// use uberall_sdk::{
///     AuthScheme, Client, DEFAULT_DEADLINE, RetryConfig, SANDBOX_BASE_URL,
/// };
///
/// let client = Client::builder()
///     .base_url(SANDBOX_BASE_URL) // default: PRODUCTION_BASE_URL
///     .api_key("my-private-key")
///     .connect_timeout(Duration::from_secs(3))
///     .timeout(Duration::from_secs(10)) // each attempt
///     .deadline(DEFAULT_DEADLINE * 2) // the whole call, retries included
///     .retry(RetryConfig::default().with_max_attempts(5))
///     .auth_scheme(AuthScheme::Bare) // `Authorization: <token>`
///     .max_response_bytes(4 * 1024 * 1024)
///     .build()?;
/// assert_eq!(client.base_url().as_str().trim_end_matches('/'), SANDBOX_BASE_URL.trim_end_matches('/'));
///
/// // Clear-text HTTP to a host other than loopback only when asked for.
/// let lab = Client::builder().base_url("http://uberall.lab.internal/api");
/// assert!(lab.clone().build().is_err());
/// assert!(lab.allow_insecure_http(true).build().is_ok());
/// # Ok::<(), uberall_sdk::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    api_key: Option<SecretString>,
    connect_timeout: Option<Duration>,
    timeout: Duration,
    deadline: Duration,
    retry: RetryConfig,
    auth_scheme: AuthScheme,
    allow_insecure_http: bool,
    http_client: Option<reqwest::Client>,
    max_response_bytes: usize,
    operations: Option<&'static [Operation]>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: PRODUCTION_BASE_URL.to_owned(),
            api_key: None,
            connect_timeout: None,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            retry: RetryConfig::default(),
            auth_scheme: AuthScheme::default(),
            allow_insecure_http: false,
            http_client: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            operations: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("auth_scheme", &self.auth_scheme)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("http_client", &self.http_client.is_some())
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientBuilder {
    /// The API root, e.g. [`PRODUCTION_BASE_URL`] (default) or [`SANDBOX_BASE_URL`].
    ///
    /// It must be `https://`, or `http://` to a loopback host (`localhost`, `127.0.0.0/8`,
    /// `::1`); any other `http://` URL needs [`allow_insecure_http`](Self::allow_insecure_http).
    /// User info, query and fragment are refused.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The account's private API key, sent as `X-API-KEY` with every request.
    /// See the [`ClientBuilder`] example.
    pub fn api_key(mut self, api_key: impl Into<SecretString>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Limit for establishing a connection (default 10 s). Cannot be combined with
    /// [`http_client`](Self::http_client): configure that client instead.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Limit for one attempt: connect, send, and read the whole response (default 30 s).
    /// Each retry gets a fresh limit.
    /// See the [`ClientBuilder`] example.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for a whole call: every attempt, and the waits between them (default 60 s). An
    /// attempt gets at most what is left of it; a retry whose wait would pass it is not made.
    /// Running out is [`Error::Timeout`] with
    /// [`TimeoutError::is_deadline`](crate::TimeoutError::is_deadline) set.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How transient failures are retried (default [`RetryConfig::default`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How the token is written into `Authorization` (default [`AuthScheme::Bearer`]).
    pub fn auth_scheme(mut self, auth_scheme: AuthScheme) -> Self {
        self.auth_scheme = auth_scheme;
        self
    }

    /// Allows an `http://` base URL to a non-loopback host. Tokens then travel in clear text:
    /// use only on a network you trust.
    /// See the [`ClientBuilder`] example.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sends requests through your own `reqwest::Client` (to share its pool, proxy or TLS
    /// settings). The SDK still sets its own headers and per-attempt timeout.
    ///
    /// Its redirect policy is yours: reqwest's default follows redirects to other hosts and
    /// drops `Authorization` there, but not `X-API-KEY`. Build it with
    /// [`redirect_policy()`](crate::redirect_policy) (or `redirect::Policy::none()`) to keep
    /// the API key from leaking.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Cap on a response body in bytes (default 1 MiB); a larger body is
    /// [`Error::BodyTooLarge`] and is not read past the cap.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Looks operations up in this table instead of the spec's
    /// (`uberall_client::operations::ALL`): their security, statuses and idempotency, by the
    /// id the generated client hands over. With
    /// [`MockServerBuilder::operations`](crate::mock::MockServerBuilder::operations), to test
    /// operations the spec does not have yet.
    #[cfg(feature = "test-util")]
    #[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
    pub fn operations(mut self, operations: &'static [Operation]) -> Self {
        self.operations = Some(operations);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an invalid or clear-text base URL (see
    /// [`base_url`](Self::base_url)), an API key that cannot be a header value, a zero
    /// timeout or body cap, `connect_timeout` combined with `http_client`, or a failure to
    /// build the HTTP client (e.g. TLS initialisation).
    pub fn build(self) -> Result<Client, Error> {
        let base_url = validate_base_url(&self.base_url, self.allow_insecure_http)?;
        if self.timeout.is_zero() || self.deadline.is_zero() {
            return Err(
                ConfigError::new("the timeout and the deadline must be greater than zero").into(),
            );
        }
        if self.max_response_bytes == 0 {
            return Err(ConfigError::new("max_response_bytes must be greater than zero").into());
        }
        let api_key = self
            .api_key
            .as_ref()
            .map(|key| SecretHeader::new("", key.expose_secret(), "API key"))
            .transpose()?;
        let own_http = self.http_client.is_none();
        let http = match (self.http_client, self.connect_timeout) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "connect_timeout cannot be applied to a caller-supplied reqwest::Client; \
                     set it on that client",
                )
                .into());
            }
            (Some(client), None) => client,
            (None, connect_timeout) => {
                if connect_timeout.is_some_and(|t| t.is_zero()) {
                    return Err(
                        ConfigError::new("the connect timeout must be greater than zero").into(),
                    );
                }
                reqwest::Client::builder()
                    .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .timeout(self.timeout)
                    .redirect(redirect_policy())
                    .build()
                    .map_err(|err| {
                        ConfigError::new(format!("could not build the HTTP client: {err}"))
                    })?
            }
        };
        let base = base_url.as_str().trim_end_matches('/');
        let logout_url = operation_url(base, operations::POST_USERS_LOGOUT.path)?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                prototype: uberall_client::Client::new_with_client(base, http, Inner::default()),
                operations_base: BaseUrl::parse(base),
                api_key,
                timeout: self.timeout,
                http_timeout: own_http.then_some(self.timeout),
                deadline: self.deadline,
                max_response_bytes: self.max_response_bytes,
                retry: self.retry,
                auth_scheme: self.auth_scheme,
                url: base_url,
                logout_url: Arc::new(logout_url),
                operations: self.operations,
            }),
        })
    }
}

/// The redirect policy of the SDK's own HTTP client, for use on one you supply.
///
/// It follows only 307 and 308 redirects (which keep the method and body) to the same origin
/// (scheme, host and port), at most 5 hops. Any other redirect is not followed: the 3xx is
/// returned and becomes [`Error::UnexpectedStatus`]. So neither `Authorization` nor `X-API-KEY`
/// is ever sent to a host other than the configured one.
pub fn redirect_policy() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
        if same_origin && keeps_method && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Parses and checks a base URL. Error messages never echo the URL: it may hold user info.
pub(crate) fn validate_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim())
        .map_err(|err| ConfigError::new(format!("the base URL is not a valid URL ({err})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(
            "the base URL must not contain user info; use api_key() for credentials",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(
            "the base URL must not have a query or fragment",
        ));
    }
    let Some(host) = url.host() else {
        return Err(ConfigError::new("the base URL has no host"));
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&host) => {}
        "http" => {
            return Err(ConfigError::new(format!(
                "refusing http:// to {host}: tokens would travel in clear text; use https:// \
                 or opt in with allow_insecure_http(true)"
            )));
        }
        other => {
            return Err(ConfigError::new(format!(
                "the base URL scheme must be https (or http to loopback), not {other}"
            )));
        }
    }
    Ok(url)
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(domain) => domain.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).to_canonical().is_loopback(),
    }
}

/// The URL of an operation without path parameters. Appended as text, as the generated
/// client does: `Url::join` would replace the base's last segment (`/api`).
fn operation_url(base: &str, path: &str) -> Result<Url, ConfigError> {
    Url::parse(&format!("{base}{path}"))
        .map_err(|err| ConfigError::new(format!("cannot build the URL of {path}: {err}")))
}

/// An environment variable, with unset and empty both meaning `None`.
pub(crate) fn env_var(name: &'static str) -> Result<Option<String>, ConfigError> {
    match std::env::var(name) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(ConfigError::new(format!("{name} is not valid UTF-8")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http() {
        for ok in [
            PRODUCTION_BASE_URL,
            SANDBOX_BASE_URL,
            "https://api.uberall.com/api/",
            "http://127.0.0.1:8080/api",
            "http://127.1.2.3/api",
            "http://localhost:1234",
            "http://LOCALHOST/api",
            "http://[::1]:9/api",
            "http://[::ffff:127.0.0.1]/api",
        ] {
            validate_base_url(ok, false).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn refuses_clear_text_to_other_hosts_unless_allowed() {
        for bad in [
            "http://uberall.com/api",
            "http://10.0.0.1/api",
            "http://localhost.evil.com/",
            "http://[::2]/",
        ] {
            let err = validate_base_url(bad, false).unwrap_err();
            assert!(err.message().contains("clear text"), "{bad}: {err}");
            validate_base_url(bad, true).unwrap();
        }
    }

    #[test]
    fn refuses_malformed_urls_without_echoing_them() {
        for bad in [
            "not a url",
            "ftp://uberall.com/api",
            "https://user:hunter2@uberall.com/api",
            "https://uberall.com/api?key=hunter2",
            "https://uberall.com/api#frag",
            "file:///etc/passwd",
        ] {
            let err = validate_base_url(bad, true).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn operations_keep_the_base_path() {
        for base in ["https://uberall.com/api", "https://uberall.com/api/"] {
            let client = Client::builder().base_url(base).build().unwrap();
            assert_eq!(client.inner.prototype.baseurl(), "https://uberall.com/api");
            assert_eq!(
                client.inner.logout_url.as_str(),
                "https://uberall.com/api/users/logout"
            );
        }
    }

    #[test]
    fn builder_rejects_bad_settings() {
        let err = Client::builder()
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        let err = Client::builder()
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        let err = Client::builder().api_key("bad key").build().unwrap_err();
        assert!(!err.to_string().contains("bad key"));
    }

    #[test]
    fn debug_hides_the_api_key() {
        let builder = Client::builder().api_key("super-secret-key");
        assert!(!format!("{builder:?}").contains("super-secret-key"));
        let client = builder.build().unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("super-secret-key"), "{debug}");
        assert!(debug.contains("[REDACTED]"));
    }

    #[test]
    fn client_and_session_are_cheap_shared_handles() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
        assert_traits::<Session>();
        assert_eq!(std::mem::size_of::<Client>(), std::mem::size_of::<usize>());
    }
}
