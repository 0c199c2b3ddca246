//! The seam between the generated operations and whatever sends their requests.
//!
//! Every operation builds its `reqwest::Request` and hands it to
//! `progenitor_client::ClientHooks::exec`, which this crate implements for [`Client`]
//! by calling the [`Transport`] held in the client's [`Inner`] value. With
//! `Inner::default()` the request is sent once through the client's own
//! `reqwest::Client`.
//!
//! [`Client`]: crate::Client
//! [`Transport`]: crate::hooks::Transport
//! [`Inner`]: crate::hooks::Inner

// Template: `cargo xtask generate` splices this file's items into `pub mod hooks` of
// `generated/src/lib.rs` (see `xtask/src/codegen/hooks.rs`), turning the `//!` docs above
// into the module's docs. Plain comments like this one are not copied.

use std::{fmt, future::Future, pin::Pin, sync::Arc};

/// What [`Transport::execute`] returns: the response to hand to the operation's
/// decoding, or the error that ended the exchange.
pub type Exchange<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends the requests the generated operations build.
///
/// Object safe, so that a client can carry any implementation. An implementation
/// may retry, add headers, bound the time and the body, or refuse to send; an
/// error it wants to hand back typed travels as the source of a `reqwest::Error`.
/// It also decides the error for a body that does not decode
/// ([`Transport::decode_error`]), knowing the status, headers and body.
pub trait Transport: Send + Sync {
    /// Sends `request`, built by the operation `operation_id` (see
    /// [`crate::operations::by_id`]), using `client`, the generated client's
    /// connection pool.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Exchange<'a>;

    /// Decides the error for a response of a documented status whose body does not
    /// decode into the operation's type. `Some(error)` fails the operation with
    /// `progenitor_client::Error::CommunicationError(error)`; `None` (the default)
    /// fails it as a client without a transport does (see [`decode`]).
    fn decode_error<'a>(&'a self, failure: &'a DecodeFailure) -> DecodeOutcome<'a> {
        let _ = failure;
        Box::pin(std::future::ready(None))
    }

    /// The client's base URL, parsed once ([`BaseUrl::parse`] of the string the client
    /// is built with), so that an operation extends it instead of parsing its whole URL.
    /// `None` (the default), or a base parsed from another string, makes each operation
    /// format and parse its URL as progenitor's own client does.
    fn base_url(&self) -> Option<&BaseUrl> {
        None
    }
}

/// A base URL parsed once, which every operation's URL extends by its path: the same
/// URL that parsing `base + path` would give, without parsing the scheme, host and
/// base path on every call.
#[derive(Clone, Debug)]
pub struct BaseUrl {
    url: reqwest::Url,
    /// `url` has the path `/` only because parsing added it (`http://h` → `http://h/`).
    root: bool,
}

impl BaseUrl {
    /// `base` parsed, when its URLs can be built by extending the path: `None` for a base
    /// that does not parse, has a query or fragment, or is not written as `Url` writes it
    /// (such a base keeps the per-call parse, which alone gives the same URLs for it).
    pub fn parse(base: &str) -> Option<Self> {
        let url = reqwest::Url::parse(base).ok()?;
        if url.cannot_be_a_base() || url.query().is_some() || url.fragment().is_some() {
            return None;
        }
        let root = if url.as_str() == base {
            false
        } else if url.path() == "/" && url.as_str().strip_suffix('/') == Some(base) {
            true
        } else {
            return None;
        };
        Some(Self { url, root })
    }

    /// Whether `self` is `base` parsed.
    pub fn is_parsed_from(&self, base: &str) -> bool {
        let written = self.url.as_str();
        if self.root {
            written.strip_suffix('/') == Some(base)
        } else {
            written == base
        }
    }

    /// The URL `base + path` (`path` as the operations format it, percent-encoded), or
    /// `None` when `path` holds a `?` or `#`, which only a whole parse reads as parsing
    /// `base + path` would.
    pub fn join(&self, path: &str) -> Option<reqwest::Url> {
        if path.bytes().any(|b| b == b'?' || b == b'#') {
            return None;
        }
        let mut url = self.url.clone();
        if self.root {
            url.set_path(path);
        } else {
            let mut full = String::with_capacity(url.path().len() + path.len());
            full.push_str(url.path());
            full.push_str(path);
            url.set_path(&full);
        }
        Some(url)
    }
}

/// Starts the request of an operation whose URL is `client`'s base URL + `path`; every
/// generated operation calls this where progenitor's own client formats
/// `format!("{}{path}", baseurl)` and has reqwest parse it. With a parsed [`BaseUrl`]
/// the base is not parsed again; without one, this is what progenitor's client does.
#[doc(hidden)]
pub fn request(
    client: &crate::Client,
    method: reqwest::Method,
    path: fmt::Arguments<'_>,
) -> reqwest::RequestBuilder {
    let formatted;
    let path = match path.as_str() {
        Some(path) => path,
        None => {
            formatted = path.to_string();
            &formatted
        }
    };
    let joined = client
        .inner
        .base_url()
        .filter(|base| base.is_parsed_from(&client.baseurl))
        .and_then(|base| base.join(path));
    match joined {
        Some(url) => client.client.request(method, url),
        None => client
            .client
            .request(method, format!("{}{path}", client.baseurl)),
    }
}

/// A response extension holding the whole body, already read (by a transport that reads
/// bodies, e.g. to cap them): [`decode`] takes it instead of reading the body again. The
/// response's own body holds the same bytes, for code that reads it.
#[derive(Clone, Debug)]
pub struct Prefetched(pub bytes::Bytes);

/// What [`Transport::decode_error`] returns.
pub type DecodeOutcome<'a> = Pin<Box<dyn Future<Output = Option<reqwest::Error>> + Send + 'a>>;

/// A response of a documented status whose body is not the documented JSON, with
/// everything known about it. Its `Debug` shows neither the body nor the decoder's
/// message, which may quote it: a body may echo a credential.
#[non_exhaustive]
pub struct DecodeFailure {
    /// The operation, as [`crate::operations::by_id`] finds it.
    pub operation_id: &'static str,
    /// The response's HTTP status.
    pub status: reqwest::StatusCode,
    /// The response's headers.
    pub headers: reqwest::header::HeaderMap,
    /// The whole body as received.
    pub body: bytes::Bytes,
    /// Why the body does not decode.
    pub error: serde_json::Error,
}

impl DecodeFailure {
    /// A failure of the operation `operation_id` (for a transport's own tests).
    pub fn new(
        operation_id: &'static str,
        status: reqwest::StatusCode,
        headers: reqwest::header::HeaderMap,
        body: bytes::Bytes,
        error: serde_json::Error,
    ) -> Self {
        Self {
            operation_id,
            status,
            headers,
            body,
            error,
        }
    }

    /// The response's `Content-Type`, when present and readable.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
    }
}

/// Status and content type only: the body and the decoder's message may quote an
/// echoed credential (they stay readable as fields).
impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation_id, self.status.as_u16())?;
        if let Some(content_type) = self.content_type() {
            write!(f, ", content-type {content_type}")?;
        }
        write!(
            f,
            ": the body is not the documented JSON ({:?} error at line {}, column {})",
            self.error.classify(),
            self.error.line(),
            self.error.column()
        )
    }
}

impl std::error::Error for DecodeFailure {}

impl DecodeFailure {
    /// The failure carried by an operation's error, if the error is one: a
    /// documented body that did not decode, with its status, headers and body.
    pub fn find<E>(err: &progenitor_client::Error<E>) -> Option<&DecodeFailure> {
        let progenitor_client::Error::CommunicationError(err) = err else {
            return None;
        };
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = current {
            if let Some(failure) = e.downcast_ref::<DecodeFailure>() {
                return Some(failure);
            }
            current = e.source();
        }
        None
    }

    /// `self` as the source of a `reqwest::Error` (the only error
    /// `CommunicationError` holds), read from a body whose one chunk is `self`.
    async fn into_reqwest_error(self) -> Option<reqwest::Error> {
        let chunk: Result<bytes::Bytes, DecodeFailure> = Err(self);
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter([chunk]));
        reqwest::Response::from(http::Response::new(body))
            .bytes()
            .await
            .err()
    }
}

impl fmt::Debug for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeFailure")
            .field("operation_id", &self.operation_id)
            .field("status", &self.status)
            .field("content_type", &self.content_type())
            .field("body_len", &self.body.len())
            .field("category", &self.error.classify())
            .field("line", &self.error.line())
            .field("column", &self.error.column())
            .finish()
    }
}

/// Decodes the JSON body of a documented response of operation `info` into `T`;
/// every generated operation calls this where progenitor's own client decodes
/// with `from_response`. A body that does not decode goes to the
/// transport's [`Transport::decode_error`]; without a transport (or when it
/// returns `None`) the error is `CommunicationError` whose source is the
/// [`DecodeFailure`], so that its status and headers are not lost
/// ([`DecodeFailure::find`]); progenitor's `InvalidResponsePayload` keeps neither.
#[doc(hidden)]
pub async fn decode<T: serde::de::DeserializeOwned, E>(
    inner: &Inner,
    response: reqwest::Response,
    info: &progenitor_client::OperationInfo,
) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = match response.extensions().get::<Prefetched>() {
        Some(Prefetched(body)) => body.clone(),
        None => response
            .bytes()
            .await
            .map_err(progenitor_client::Error::ResponseBodyError)?,
    };
    match serde_json::from_slice(&body) {
        Ok(value) => Ok(progenitor_client::ResponseValue::new(
            value, status, headers,
        )),
        Err(error) => {
            let failure = DecodeFailure::new(info.operation_id, status, headers, body, error);
            if let Repr::Transport(transport) = &inner.0 {
                if let Some(error) = transport.decode_error(&failure).await {
                    return Err(progenitor_client::Error::CommunicationError(error));
                }
            }
            let (body, error) = (failure.body.clone(), failure.error.to_string());
            match failure.into_reqwest_error().await {
                Some(carrier) => Err(progenitor_client::Error::CommunicationError(carrier)),
                // reqwest fails a body whose only chunk is an error; should that
                // change, progenitor's own variant still says what happened.
                None => Err(progenitor_client::Error::InvalidResponsePayload(
                    body,
                    <serde_json::Error as serde::de::Error>::custom(error),
                )),
            }
        }
    }
}

/// The generated client's inner value: the transport its operations go through, or,
/// without one, the client's base URL parsed once.
#[derive(Clone, Default)]
pub struct Inner(Repr);

#[derive(Clone)]
enum Repr {
    Plain(Option<Arc<BaseUrl>>),
    Transport(Arc<dyn Transport>),
}

impl Default for Repr {
    fn default() -> Self {
        Self::Plain(None)
    }
}

impl Inner {
    /// Sends every request through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Self(Repr::Transport(transport))
    }

    /// Whether a transport is installed (else requests go out once, unchanged).
    pub fn has_transport(&self) -> bool {
        matches!(self.0, Repr::Transport(_))
    }

    /// `self` for a client of the base URL `base`: without a transport, `base` parsed
    /// (a transport has its own, [`Transport::base_url`]). Called by `Client::new_with_client`.
    #[doc(hidden)]
    pub fn bind(self, base: &str) -> Self {
        match self.0 {
            Repr::Plain(None) => Self(Repr::Plain(BaseUrl::parse(base).map(Arc::new))),
            repr => Self(repr),
        }
    }

    fn base_url(&self) -> Option<&BaseUrl> {
        match &self.0 {
            Repr::Plain(base) => base.as_deref(),
            Repr::Transport(transport) => transport.base_url(),
        }
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match &self.0 {
            Repr::Plain(_) => None,
            Repr::Transport(_) => Some("dyn Transport"),
        };
        f.debug_struct("Inner")
            .field("transport", &transport)
            .finish()
    }
}

impl crate::Client {
    /// A client of the same base URL and connection pool whose requests go through
    /// `inner`: what `Client::new_with_client(self.baseurl(), self.client().clone(), inner)`
    /// gives, without copying the base URL (the clients share it) or parsing it again for a
    /// transport. For one client per caller, e.g. per session, made from one prototype.
    pub fn with_inner(&self, inner: Inner) -> Self {
        let inner = match inner.0 {
            // No transport: this client's own parsed base, when it has one, serves as is.
            Repr::Plain(None) => match &self.inner.0 {
                Repr::Plain(Some(base)) => Inner(Repr::Plain(Some(Arc::clone(base)))),
                _ => Inner::default().bind(&self.baseurl),
            },
            repr => Inner(repr),
        };
        Self {
            baseurl: Arc::clone(&self.baseurl),
            client: self.client.clone(),
            inner,
        }
    }
}

impl progenitor_client::ClientHooks<Inner> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner.0 {
            Repr::Transport(transport) => {
                transport
                    .execute(&self.client, request, info.operation_id)
                    .await
            }
            Repr::Plain(_) => self.client.execute(request).await,
        }
    }
}
