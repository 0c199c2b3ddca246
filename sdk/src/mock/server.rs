//! The connection loop: hyper serves each connection itself so that a fault can drop one
//! mid-request, which a router behind `axum::serve` cannot do.

use std::{
    fmt, io,
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    http::{
        HeaderName, HeaderValue, Request, Response,
        header::{CONTENT_LENGTH, CONTENT_TYPE},
    },
};
use bytes::Bytes;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, task::JoinSet};

use crate::wire::{API_KEY_HEADER, TOKEN_HEADER};

use super::{
    MockState, RecordedRequest, api,
    routes::Resolution,
    script::{Fault, ScriptedBody},
};

/// Request bodies larger than this are recorded empty (the API's requests are small).
const MAX_RECORDED_BODY: usize = 1024 * 1024;

/// Error returned to hyper to make it close a connection without answering.
#[derive(Debug)]
struct InjectedFault;

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fault injected by the uberall mock")
    }
}

impl std::error::Error for InjectedFault {}

pub(super) async fn serve(listener: TcpListener, state: Arc<MockState>) {
    let mut connections = JoinSet::new();
    let mut connection = 0u64;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        connection += 1;
        let id = connection;
        let state = Arc::clone(&state);
        connections.spawn(async move {
            let service =
                hyper::service::service_fn(move |request| handle(Arc::clone(&state), id, request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

async fn handle(
    state: Arc<MockState>,
    connection: u64,
    request: Request<Incoming>,
) -> Result<Response<Body>, InjectedFault> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(Body::new(body), MAX_RECORDED_BODY)
        .await
        .unwrap_or_default();
    let resolution = state.routes.resolve(&parts.method, parts.uri.path());
    let operation = match &resolution {
        Resolution::Operation(operation) => Some(*operation),
        Resolution::MethodNotAllowed(_) | Resolution::NotFound => None,
    };
    let scripted = {
        let mut recorded = parts.headers.clone();
        for name in [&TOKEN_HEADER, &API_KEY_HEADER] {
            if let Some(value) = recorded.get_mut(name) {
                value.set_sensitive(true);
            }
        }
        let mut inner = state.lock();
        if state.request_log_capacity > 0 {
            if inner.log.len() >= state.request_log_capacity {
                inner.log.pop_front();
            }
            inner.log.push_back(RecordedRequest {
                operation_id: operation.map(|operation| operation.id),
                method: parts.method.clone(),
                path: parts
                    .uri
                    .path_and_query()
                    .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
                headers: recorded,
                body: body.clone(),
                connection,
                received_at: Instant::now(),
            });
        }
        state.request_count.fetch_add(1, Ordering::SeqCst);
        operation.and_then(|operation| inner.script.next_for(operation.id))
    };
    let Some(operation) = operation else {
        let allowed = match &resolution {
            Resolution::MethodNotAllowed(allowed) => allowed.as_slice(),
            Resolution::Operation(_) | Resolution::NotFound => &[],
        };
        return Ok(api::unrouted(
            allowed,
            parts.method.as_str(),
            parts.uri.path(),
        ));
    };
    let Some(scripted) = scripted else {
        return Ok(api::answer(&state, operation, &parts.headers, &body));
    };
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let mut response = match (scripted.fault, scripted.body) {
        (Some(Fault::CloseConnection), _) => return Err(InjectedFault),
        (Some(Fault::ProcessThenCloseConnection), _) => {
            let _ = api::answer(&state, operation, &parts.headers, &body);
            return Err(InjectedFault);
        }
        (_, ScriptedBody::Passthrough) => api::answer(&state, operation, &parts.headers, &body),
        (
            _,
            ScriptedBody::Custom {
                status,
                content_type,
                body,
            },
        ) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            if let Some(value) = content_type.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(CONTENT_TYPE, value);
            }
            response
        }
    };
    for (name, value) in &scripted.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    if scripted.fault == Some(Fault::TruncateBody) {
        response = truncate(response).await;
    }
    Ok(response)
}

/// Keeps status, headers and the full `Content-Length`, but sends half the body then fails it,
/// which makes hyper abort the connection.
async fn truncate(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
    let half = full.slice(..full.len() / 2);
    let chunks: [Result<Bytes, io::Error>; 2] = [
        Ok(half),
        Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            InjectedFault,
        )),
    ];
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}
