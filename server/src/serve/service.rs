//! The service of one connection, around the router: it tells the gate while a request is in
//! flight (until its response body is sent), and cuts with 408 a request body still arriving
//! some time after its headers, so a client trickling a body cannot hold a place for long.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Json,
    body::Body,
    http::{HeaderValue, Request, StatusCode, header},
    response::{IntoResponse, Response},
};
use expedite_domain::{ErrorBody, ErrorCode};
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use tower::Service;

use super::gate::{Activity, Busy};

/// Wraps the router of one connection.
#[derive(Clone)]
pub(super) struct PerConnection<S> {
    inner: S,
    body_limit: Duration,
    activity: Arc<Activity>,
}

impl<S> PerConnection<S> {
    pub(super) fn new(inner: S, body_limit: Duration, activity: Arc<Activity>) -> Self {
        Self {
            inner,
            body_limit,
            activity,
        }
    }
}

impl<S> Service<Request<Incoming>> for PerConnection<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let busy = self.activity.busy();
        let (parts, body) = request.into_parts();
        if body.is_end_stream() {
            let response = self.inner.call(Request::from_parts(parts, Body::new(body)));
            return Box::pin(async move { Ok(tracked(response.await?, busy)) });
        }
        let arrived = Arc::new(AtomicBool::new(false));
        let body = Watched {
            inner: body,
            arrived: Arc::clone(&arrived),
        };
        let response = self.inner.call(Request::from_parts(parts, Body::new(body)));
        let limit = self.body_limit;
        Box::pin(async move {
            tokio::pin!(response);
            let response = tokio::select! {
                response = &mut response => response?,
                () = tokio::time::sleep(limit) => {
                    // Only the body is bounded here; a slow answer is the request timeout's.
                    if arrived.load(Ordering::Acquire) {
                        response.await?
                    } else {
                        tracing::warn!(limit_secs = limit.as_secs_f64(), "request body too slow; cut");
                        too_slow(limit)
                    }
                }
            };
            Ok(tracked(response, busy))
        })
    }
}

/// 408, and the connection is closed: the rest of the body is not worth reading.
fn too_slow(limit: Duration) -> Response {
    let body = ErrorBody::new(
        ErrorCode::RequestTimeout,
        format!(
            "The request body did not arrive within {} s.",
            limit.as_secs_f64()
        ),
    );
    let status = StatusCode::from_u16(ErrorCode::RequestTimeout.http_status())
        .unwrap_or(StatusCode::REQUEST_TIMEOUT);
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The response, with the connection busy until its body has been sent (or dropped).
fn tracked(response: Response, busy: Busy) -> Response {
    response.map(|body| {
        Body::new(Sending {
            inner: body,
            _busy: busy,
        })
    })
}

/// A response body holding its connection's [`Busy`] mark.
struct Sending {
    inner: Body,
    _busy: Busy,
}

impl HttpBody for Sending {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A request body that notes when it has all arrived.
struct Watched {
    inner: Incoming,
    arrived: Arc<AtomicBool>,
}

impl HttpBody for Watched {
    type Data = <Incoming as HttpBody>::Data;
    type Error = <Incoming as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = Pin::new(&mut self.inner).poll_frame(cx);
        // An error ends the body too: the handler answers it without waiting for more.
        if matches!(frame, Poll::Ready(None | Some(Err(_)))) || self.inner.is_end_stream() {
            self.arrived.store(true, Ordering::Release);
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
