//! Verifies credentials once per request and guards cookie sessions against CSRF.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use expedite_core::identity::{
    ACCESS_COOKIE, Authenticated, Caller, REFRESH_COOKIE, SignInError, cleared_cookies,
    cookie_value, session_cookies,
};
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
    let caller = if headers.contains_key(header::AUTHORIZATION) {
        let Some(token) = bearer_token(headers) else {
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
        let caller = match cookie_value(&cookies, ACCESS_COOKIE) {
            Some(token) => state
                .auth
                .verifier
                .verify(token, TokenUse::Access)
                .await
                .ok(),
            None => None,
        };
        match (caller, cookie_value(&cookies, REFRESH_COOKIE)) {
            (None, Some(refresh)) if renews_session(&request) => {
                let (caller, cookies) = renew(&state, refresh).await;
                record_user(caller.as_ref());
                request.extensions_mut().insert(Authenticated(caller));
                let mut response = next.run(request).await;
                for cookie in cookies {
                    if let Ok(value) = HeaderValue::from_str(&cookie) {
                        response.headers_mut().append(header::SET_COOKIE, value);
                    }
                }
                return response;
            }
            (caller, _) => caller,
        }
    };
    record_user(caller.as_ref());
    request.extensions_mut().insert(Authenticated(caller));
    next.run(request).await
}

/// The signed-in user's id on the request's span, so every later line of it names them.
fn record_user(caller: Option<&Caller>) {
    if let Some(caller) = caller {
        tracing::Span::current().record("user.id", tracing::field::display(&caller.user_id));
    }
}

/// Page loads (and the UI's session check) renew an expired access token; API calls and
/// assets do not, so parallel requests never race to use the same refresh token.
fn renews_session(request: &Request) -> bool {
    let headers = request.headers();
    let navigation = request.method() == Method::GET
        && (headers
            .get("sec-fetch-mode")
            .is_some_and(|v| v == "navigate")
            || headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html")));
    navigation || (request.method() == Method::POST && request.uri().path() == "/sfn/current_user")
}

/// Trades the refresh token for new tokens: the caller and the cookies to set. A session that
/// has ended gets its cookies cleared.
async fn renew(state: &AppState, refresh: &str) -> (Option<Caller>, Vec<String>) {
    let secure = state.auth.secure_cookies;
    match state.services.refresh_session(refresh).await {
        Ok(tokens) => {
            let caller = state
                .auth
                .verifier
                .verify(&tokens.access_token, TokenUse::Access)
                .await
                .ok();
            (caller, session_cookies(&tokens, secure).to_vec())
        }
        Err(SignInError::Unavailable(cause)) => {
            tracing::warn!(%cause, "session renewal unavailable");
            (None, Vec::new())
        }
        Err(_) => (None, cleared_cookies(secure).to_vec()),
    }
}

/// The token of an `Authorization: Bearer …` header; `None` for any other scheme or an empty token.
pub(super) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    expedite_core::identity::bearer_token(headers.get(header::AUTHORIZATION)?.to_str().ok()?)
}

/// Every `Cookie` header of the request, as one value.
pub(super) fn cookie_header(headers: &HeaderMap) -> String {
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

/// The host the browser addressed, as the AWS stack's CloudFront function passes it on: the
/// distribution replaces `Host` with API Gateway's own, so an `Origin` could never match it.
pub(crate) const VIEWER_HOST: &str = "x-expedite-viewer-host";

/// The browser says the request comes from this site: `Sec-Fetch-Site` when sent, else an
/// `Origin` whose host is the host the browser addressed ([`VIEWER_HOST`] behind the front
/// door, else `Host`). Neither header: not a browser we can trust.
///
/// Honouring [`VIEWER_HOST`] from anyone is safe here: a page on another site cannot add a
/// custom header to a cross-site request without a CORS preflight, which this server never
/// grants, and a client that is not a browser gains nothing by forging an origin check.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let host = headers
        .get(VIEWER_HOST)
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        _ => false,
    }
}
