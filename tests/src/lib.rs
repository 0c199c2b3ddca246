//! Shared helpers for the workspace integration tests.
//!
//! * [`fast_retries`] / [`retries`]: retry policies with millisecond backoffs, so that retry
//!   tests stay fast.
//! * [`RawServer`]: a hand-written HTTP/1.1 server on loopback for behaviours the SDK's mock
//!   cannot script (chunked bodies, stalls, gates, a second host, a specific port). It records
//!   every request head.
//! * [`Gate`], [`NotifyOnFirstPoll`], [`join_all`]: synchronisation without sleeps.
//! * [`Capture`]: a shared buffer that a `tracing_subscriber` fmt layer (TRACE) and a `log`
//!   logger write into, to scan output for secrets.
//! * [`http_date`]: an IMF-fixdate for `Retry-After`.

use std::{
    future::Future,
    io,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{mpsc, watch},
    task::{JoinHandle, JoinSet},
};
use tracing_subscriber::fmt::{MakeWriter, format::FmtSpan};
use uberall_sdk::{Client, RetryConfig, mock::MockServer};

/// The documented successful logout body: the operations table's example, which the mock
/// answers too.
pub const SUCCESS_BODY: &str = match uberall_client::operations::POST_USERS_LOGOUT.example {
    Some((_, body)) => body,
    None => panic!("the spec gives no example of a successful logout"),
};

/// Three attempts, backoff of a few milliseconds, `Retry-After` honoured up to 50 ms.
pub fn fast_retries() -> RetryConfig {
    retries(3)
}

/// `max_attempts` attempts with backoff of a few milliseconds and `Retry-After` honoured up
/// to 50 ms.
pub fn retries(max_attempts: u32) -> RetryConfig {
    RetryConfig::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(4))
        .with_max_retry_after(Duration::from_millis(50))
}

/// A fresh mock of the API and a client for it with the given retry policy.
pub async fn mock_with(retry: RetryConfig) -> (MockServer, Client) {
    let mock = MockServer::start().await.expect("mock starts");
    let client = mock.client_builder().retry(retry).build().expect("client");
    (mock, client)
}

/// The token of an `Authorization: Bearer <token>` value as sent.
pub fn bearer(authorization: &str) -> &str {
    authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization)
}

/// An address on 127.0.0.1 that nothing listens on: a listener was bound there and dropped.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
    listener.local_addr().expect("local addr")
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP server
// ---------------------------------------------------------------------------------------------

/// A request head as [`RawServer`] read it off the wire.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// Method, e.g. `POST`.
    pub method: String,
    /// Request target, e.g. `/api/users/logout`.
    pub path: String,
    /// Headers in order; names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl RawRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 server: for each connection it reads one request head (and any body
/// its `Content-Length` announces), records it, and hands the stream to the handler, which
/// writes whatever bytes the test needs. Dropping the server stops it and its connections.
pub struct RawServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    task: JoinHandle<()>,
}

impl RawServer {
    /// Binds `ip` on a random port and serves with `handler`.
    pub async fn start<H, Fut>(ip: IpAddr, handler: H) -> io::Result<Self>
    where
        H: Fn(RawRequest, TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = io::Result<()>> + Send + 'static,
    {
        let listener = TcpListener::bind((ip, 0)).await?;
        Ok(Self::serve(listener, handler))
    }

    /// Binds `127.0.0.1` on a random port; every connection is answered with `bytes`.
    pub async fn fixed(bytes: Vec<u8>) -> io::Result<Self> {
        let bytes = Arc::new(bytes);
        Self::start(Ipv4Addr::LOCALHOST.into(), move |_, stream| {
            let bytes = Arc::clone(&bytes);
            async move { write_and_close(stream, &bytes).await }
        })
        .await
    }

    /// Serves on an existing listener.
    pub fn serve<H, Fut>(listener: TcpListener, handler: H) -> Self
    where
        H: Fn(RawRequest, TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = io::Result<()>> + Send + 'static,
    {
        let addr = listener.local_addr().expect("listener address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let handler = Arc::new(handler);
        let task = tokio::spawn(async move {
            // Dropping the JoinSet (when this task is aborted) aborts every connection.
            let mut connections = JoinSet::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                let handler = Arc::clone(&handler);
                connections.spawn(async move {
                    if let Ok(Some(request)) = read_request(&mut stream).await {
                        lock(&log).push(request.clone());
                        let _ = handler(request, stream).await;
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>/api`, the base URL to give the SDK.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// The request heads received so far, oldest first.
    pub fn requests(&self) -> Vec<RawRequest> {
        lock(&self.requests).clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        lock(&self.requests).len()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(stream: &mut TcpStream) -> io::Result<Option<RawRequest>> {
    const MAX_HEAD: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let request = RawRequest {
        method,
        path,
        headers,
    };
    // Read (and discard) a body the request announces, so that the answer is not sent while
    // the client is still writing.
    let announced = request
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_HEAD);
    let mut remaining = announced.saturating_sub(buf.len() - (end + 4));
    while remaining > 0 {
        let n = stream.read(&mut chunk[..remaining.min(1024)]).await?;
        if n == 0 {
            break;
        }
        remaining -= n;
    }
    Ok(Some(request))
}

/// A complete `application/json` response with `body`.
pub fn http_json(status: u16, body: &[u8]) -> Vec<u8> {
    http_response(status, &[("content-type", "application/json")], body)
}

/// An HTTP/1.1 response with `Content-Length` and `Connection: close` added.
pub fn http_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = response_head(status, headers);
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// The status line and `headers` plus `Connection: close`, without the blank line that ends
/// the head (so that the caller can add framing headers).
pub fn response_head(status: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Status");
    let mut out = format!("HTTP/1.1 {status} {reason}\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.into_bytes()
}

/// One chunk of a `Transfer-Encoding: chunked` body.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// The last chunk of a chunked body.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// Writes `bytes`, then closes the connection.
pub async fn write_and_close(mut stream: TcpStream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// Asserts that none of `requests` carries `Authorization` or `X-API-KEY`.
pub fn assert_no_credentials(requests: &[RawRequest]) {
    for request in requests {
        assert!(
            request.header("authorization").is_none() && request.header("x-api-key").is_none(),
            "credentials reached another host: {:?}",
            request.headers.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Synchronisation
// ---------------------------------------------------------------------------------------------

/// A latch: [`wait`](Gate::wait) completes once [`open`](Gate::open) was called (before or
/// after).
#[derive(Clone)]
pub struct Gate(Arc<watch::Sender<bool>>);

impl Default for Gate {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }
}

impl Gate {
    /// Opens the gate for every current and future waiter.
    pub fn open(&self) {
        self.0.send_replace(true);
    }

    /// Waits until the gate is open.
    pub async fn wait(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|open| *open).await;
    }
}

/// Wraps a future and sends `()` once its first `poll` has returned, i.e. once the wrapped
/// future has run up to its first suspension point.
pub struct NotifyOnFirstPoll<F: Future> {
    inner: Pin<Box<F>>,
    polled: Option<mpsc::UnboundedSender<()>>,
}

impl<F: Future> NotifyOnFirstPoll<F> {
    /// See the type's documentation.
    pub fn new(inner: F, polled: mpsc::UnboundedSender<()>) -> Self {
        Self {
            inner: Box::pin(inner),
            polled: Some(polled),
        }
    }
}

impl<F: Future> Future for NotifyOnFirstPoll<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let result = this.inner.as_mut().poll(cx);
        if let Some(polled) = this.polled.take() {
            let _ = polled.send(());
        }
        result
    }
}

/// Polls every future in one task until all are done; the first poll polls each of them
/// once, in order, before any can observe another's completion.
pub async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(outputs.iter_mut().filter_map(Option::take).collect())
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Output capture
// ---------------------------------------------------------------------------------------------

/// A shared, growable buffer that tracing and `log` output is written into.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far (lossy UTF-8).
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }

    /// Forgets everything written so far.
    pub fn clear(&self) {
        lock(&self.0).clear();
    }

    /// A fmt subscriber at TRACE level writing into this buffer, spans reported when they
    /// open and close (with the fields recorded by then), no ANSI colours.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + 'static {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(self.clone())
            .finish()
    }

    /// Installs this buffer as the process-wide `log` logger at TRACE level. `false` if a
    /// logger was already installed.
    pub fn install_as_logger(&self) -> bool {
        // Leaked once per process: a logger must live as long as the program.
        let logger: &'static Capture = Box::leak(Box::new(self.clone()));
        let installed = log::set_logger(logger).is_ok();
        if installed {
            log::set_max_level(log::LevelFilter::Trace);
        }
        installed
    }
}

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Prefix of every line a `log` record produces in a [`Capture`].
pub const LOG_PREFIX: &str = "LOG ";

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "{LOG_PREFIX}{} {}: {}\n",
            record.level(),
            record.target(),
            record.args()
        );
        lock(&self.0).extend_from_slice(line.as_bytes());
    }

    fn flush(&self) {}
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// `t` as an HTTP date (IMF-fixdate), e.g. `Tue, 14 Nov 2023 22:13:20 GMT`.
pub fn http_date(t: SystemTime) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdates() {
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(http_date(t), "Tue, 14 Nov 2023 22:13:20 GMT");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(http_date(leap), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[tokio::test]
    async fn join_all_keeps_order() {
        let out = join_all((0..5).map(|i| async move {
            tokio::task::yield_now().await;
            i * 2
        }))
        .await;
        assert_eq!(out, [0, 2, 4, 6, 8]);
    }
}
