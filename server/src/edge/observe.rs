//! The outermost layer: every request gets an id, its log lines a span carrying it, its
//! response an `x-request-id` header (and error bodies a `request_id`), and the request-count
//! and latency metrics a sample, labelled by route template.
//!
//! The id is the caller's `x-request-id` when it is a plausible token (so a client's own
//! correlation id carries through), else API Gateway's request id on Lambda (so our lines
//! and the gateway's access log name the same request), else a new UUID v7.

use std::time::Instant;

use axum::{
    body::{Body, HttpBody, to_bytes},
    extract::{MatchedPath, Request},
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use lambda_http::request::RequestContext;
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest error body the layer adds a `request_id` to; larger bodies pass untouched.
const MAX_ERROR_BODY: usize = 16 * 1024;

/// The request's id, in the request's extensions for handlers and logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    request.extensions_mut().insert(RequestId(id.clone()));
    // Both cheap to keep: a method is a small value, a matched path a shared string.
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    expedite_core::metrics::http_request(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        method.as_str(),
        response.status().as_u16(),
        started.elapsed(),
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if response.status().is_client_error() || response.status().is_server_error() {
        return with_request_id(response, &id).await;
    }
    response
}

/// The span every line of one request is logged in; `user.id` is filled in once known.
pub fn request_span(request: &Request) -> Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .map_or("", |id| id.0.as_str());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        request.id = id,
        method = %request.method(),
        route,
        user.id = tracing::field::Empty,
    )
}

fn request_id(request: &Request) -> String {
    let given = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|value| plausible(value));
    if let Some(given) = given {
        return given.to_owned();
    }
    let gateway = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV1(context)) => context.request_id.clone(),
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    };
    gateway
        .filter(|id| plausible(id))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// 1–64 characters of letters, digits and `-_.:`: safe in a header, a log line and JSON.
fn plausible(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Adds `"request_id"` to a JSON error body (`{"error": {…}}`); other bodies are kept as they are.
async fn with_request_id(response: Response, id: &str) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let small = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|size| size <= MAX_ERROR_BODY as u64);
    if !is_json || !small {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        // The body failed while read: what remains cannot be sent whole either way.
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    let Some(error) = value
        .get_mut("error")
        .and_then(|error| error.as_object_mut())
    else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    error.insert("request_id".into(), id.into());
    let body = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::plausible;

    #[test]
    fn only_plain_tokens_are_taken_as_request_ids() {
        for good in ["abc", "0190f3a2-7b1c-7def-8000-000000000000", "req_1.2:3"] {
            assert!(plausible(good), "{good}");
        }
        let long = "a".repeat(65);
        for bad in ["", "a b", "x\ny", "<script>", "a\"b", long.as_str()] {
            assert!(!plausible(bad), "{bad:?}");
        }
    }
}
