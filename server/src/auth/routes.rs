//! Session endpoints for browsers and API clients, and the built-in provider's JWKS.

use axum::{
    Extension, Json, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use expedite_core::identity::{
    ACCESS_COOKIE, ClientAddress, REFRESH_COOKIE, SessionEnd, SessionTokens, SignInError,
    cleared_cookies, cookie_value, session_cookies,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::middleware::{bearer_token, cookie_header, same_origin};
use crate::{AppState, error::ApiError, routes::input::JsonBody};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/auth/sign-in", post(sign_in))
        .route("/auth/new-password", post(new_password))
        .route("/auth/refresh", post(refresh))
        .route("/auth/sign-out", post(sign_out))
}

#[derive(Debug, Deserialize)]
struct SignInRequest {
    email: String,
    password: String,
}

#[derive(Debug, Deserialize)]
struct NewPasswordRequest {
    email: String,
    new_password: String,
    session: String,
}

#[derive(Debug, Default, Deserialize)]
struct RefreshRequest {
    refresh_token: Option<String>,
}

async fn jwks(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let local = state
        .auth
        .local
        .as_ref()
        .ok_or_else(|| ApiError::not_found("This deployment does not issue tokens itself."))?;
    Ok(Json(local.jwks()))
}

async fn sign_in(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignInRequest>,
) -> Result<Response, ApiError> {
    refuse_cross_site(&headers)?;
    let client = client.map_or_else(|| "unknown".to_owned(), |Extension(ClientAddress(c))| c);
    match state
        .services
        .sign_in(&request.email, &request.password, &client)
        .await
    {
        Ok(tokens) => Ok(session_response(&state, &tokens)),
        // Like Cognito's InitiateAuth: a challenge is a step of the flow, answered at
        // `/auth/new-password` with this session.
        Err(SignInError::NewPasswordRequired { session }) => Ok(Json(json!({
            "challenge_name": "NEW_PASSWORD_REQUIRED",
            "session": session,
        }))
        .into_response()),
        Err(error) => Err(error.into()),
    }
}

async fn new_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<NewPasswordRequest>,
) -> Result<Response, ApiError> {
    refuse_cross_site(&headers)?;
    let tokens = state
        .services
        .complete_new_password(&request.email, &request.new_password, &request.session)
        .await
        .map_err(ApiError::from)?;
    Ok(session_response(&state, &tokens))
}

async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Option<Json<RefreshRequest>>,
) -> Result<Response, ApiError> {
    refuse_cross_site(&headers)?;
    let token = refresh_token(&headers, body).ok_or_else(ApiError::sign_in_required)?;
    let tokens = state
        .services
        .refresh_session(&token)
        .await
        .map_err(ApiError::from)?;
    Ok(session_response(&state, &tokens))
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Option<Json<RefreshRequest>>,
) -> Result<Response, ApiError> {
    refuse_cross_site(&headers)?;
    let session = SessionEnd {
        access_token: bearer_or_cookie_access(&headers),
        refresh_token: refresh_token(&headers, body),
    };
    if session != SessionEnd::default() {
        state
            .services
            .sign_out(&session)
            .await
            .map_err(ApiError::from)?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in cleared_cookies(state.auth.secure_cookies) {
        append_cookie(&mut response, &cookie);
    }
    Ok(response)
}

/// The tokens as JSON (for API clients) and as session cookies (for browsers).
fn session_response(state: &AppState, tokens: &SessionTokens) -> Response {
    let body = json!({
        "id_token": tokens.id_token,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
        "token_type": "Bearer",
    });
    let mut response = Json(body).into_response();
    for cookie in session_cookies(tokens, state.auth.secure_cookies) {
        append_cookie(&mut response, &cookie);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn bearer_or_cookie_access(headers: &HeaderMap) -> Option<String> {
    bearer_token(headers)
        .map(str::to_owned)
        .or_else(|| cookie_value(&cookie_header(headers), ACCESS_COOKIE).map(str::to_owned))
}

fn refresh_token(headers: &HeaderMap, body: Option<Json<RefreshRequest>>) -> Option<String> {
    body.and_then(|Json(b)| b.refresh_token)
        .or_else(|| cookie_value(&cookie_header(headers), REFRESH_COOKIE).map(str::to_owned))
}

/// Browsers announce where a request comes from; a sign-in posted from another site is
/// refused (login CSRF). API clients send neither header and pass.
fn refuse_cross_site(headers: &HeaderMap) -> Result<(), ApiError> {
    let from_browser =
        headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site");
    if from_browser && !same_origin(headers) {
        return Err(ApiError::forbidden("Cross-site requests are not allowed."));
    }
    Ok(())
}
