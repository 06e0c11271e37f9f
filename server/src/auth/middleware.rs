//! Verifies credentials once per request and guards cookie sessions against CSRF.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use expedite_core::identity::{ACCESS_COOKIE, Authenticated, REFRESH_COOKIE, cookie_value};
use expedite_identity::TokenUse;

use crate::{AppState, error::ApiError};

/// Reads a Bearer header (API clients) or the session cookie (browsers), verifies the access
/// token and records the caller. A bad Bearer token is a 401 at once; a stale cookie is just
/// a signed-out visit. Unsafe requests that carry our cookies must come from our own origin.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let caller = if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return ApiError::invalid_token().into_response();
        };
        match state.auth.verifier.verify(token, TokenUse::Access).await {
            Ok(caller) => Some(caller),
            Err(error) => {
                tracing::warn!(%error, "bearer token refused");
                return ApiError::invalid_token().into_response();
            }
        }
    } else {
        let cookies = cookie_header(headers);
        if is_unsafe(request.method()) && !trusted_origin(headers, has_session_cookie(&cookies)) {
            tracing::warn!(path = %request.uri().path(), "cross-site request refused");
            return ApiError::forbidden("Cross-site requests are not allowed.").into_response();
        }
        match cookie_value(&cookies, ACCESS_COOKIE) {
            Some(token) => state
                .auth
                .verifier
                .verify(token, TokenUse::Access)
                .await
                .ok(),
            None => None,
        }
    };
    request.extensions_mut().insert(Authenticated(caller));
    next.run(request).await
}

fn cookie_header(headers: &HeaderMap) -> String {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ")
}

fn has_session_cookie(cookies: &str) -> bool {
    cookie_value(cookies, ACCESS_COOKIE).is_some()
        || cookie_value(cookies, REFRESH_COOKIE).is_some()
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// An unsafe request without a Bearer token may proceed: a browser must say it comes from
/// this site; a client that says nothing may not carry our session cookies.
fn trusted_origin(headers: &HeaderMap, carries_session: bool) -> bool {
    let from_browser =
        headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site");
    if from_browser {
        same_origin(headers)
    } else {
        !carries_session
    }
}

/// The browser says the request comes from this site: `Sec-Fetch-Site` when sent, else an
/// `Origin` whose host is the request's `Host`. Neither header: not a browser we can trust.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        _ => false,
    }
}
