//! The HTTP surface: routes, and the gate every `/services/data/vXX.X/…` call passes
//! (session, daily limit, usage count, `Sforce-Limit-Info`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};

use crate::errors::ApiError;
use crate::state::{Shared, lock};
use crate::{changes, collections, lightning, meta, oauth, query, sobject};

/// The API version a request named in its path (`60.0`), set by the gate.
#[derive(Debug, Clone)]
pub(crate) struct ApiVersion(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or_else(ApiError::not_found)
    }
}

/// The whole sandbox as one router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/query", get(query::query))
        .route("/query/", get(query::query))
        .route("/queryAll", get(query::query_all))
        .route("/queryAll/", get(query::query_all))
        .route("/query/{locator}", get(query::more))
        .route("/queryAll/{locator}", get(query::more))
        .route("/sobjects/{sobject}/describe", get(meta::describe))
        .route("/sobjects/{sobject}/describe/", get(meta::describe))
        .route("/sobjects/{sobject}/updated", get(changes::updated))
        .route("/sobjects/{sobject}/updated/", get(changes::updated))
        .route("/sobjects/{sobject}/deleted", get(changes::deleted))
        .route("/sobjects/{sobject}/deleted/", get(changes::deleted))
        .route("/sobjects/{sobject}", post(sobject::create))
        .route("/sobjects/{sobject}/", post(sobject::create))
        .route(
            "/sobjects/{sobject}/{id}",
            get(sobject::read)
                .patch(sobject::update)
                .delete(sobject::delete),
        )
        .route(
            "/sobjects/{sobject}/{field}/{value}",
            patch(sobject::upsert),
        )
        .route(
            "/composite/sobjects",
            post(collections::create)
                .patch(collections::update)
                .delete(collections::delete),
        )
        .route(
            "/composite/sobjects/{sobject}/{field}",
            patch(collections::upsert),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(shared.clone(), api_gate));
    Router::new()
        .route("/services/oauth2/token", post(oauth::token))
        .route("/services/Soap/u/{version}", post(oauth::soap_login))
        .route("/services/data", get(meta::versions))
        .route("/services/data/", get(meta::versions))
        .nest("/services/data/{version}", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(shared.clone(), count_and_inject))
        // The browser's record page: not an API call, so neither counted nor failed.
        .route("/lightning/r/{sobject}/{id}/view", get(lightning::view))
        .with_state(shared)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method '{}' not allowed.", request.method()),
    )
}

/// Counts every request, and answers with an injected failure while any are pending.
async fn count_and_inject(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let injected = {
        let mut failures = lock(&shared.failures);
        if failures.0 > 0 {
            failures.0 -= 1;
            Some(ApiError::injected(failures.1))
        } else {
            None
        }
    };
    match injected.or_else(|| path_failure(&shared, request.uri().path())) {
        Some(error) => with_limit_info(&shared, error.into_response()),
        None => next.run(request).await,
    }
}

/// The failure configured for requests to `path`, if one is still pending.
fn path_failure(shared: &Shared, path: &str) -> Option<ApiError> {
    let mut failures = lock(&shared.path_failures);
    let failure = failures
        .iter_mut()
        .find(|f| f.remaining > 0 && path.ends_with(f.path_suffix.as_str()))?;
    failure.remaining -= 1;
    let reason = failure
        .status
        .canonical_reason()
        .unwrap_or("Injected failure");
    Some(ApiError::new(
        failure.status,
        failure.code.clone(),
        format!("{reason} (injected)"),
    ))
}

/// Checks the version, the session and the daily limit, counts the call and adds the
/// `Sforce-Limit-Info` header to whatever the handler answers.
async fn api_gate(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let response = match admit(&shared, &request) {
        Ok(version) => {
            request.extensions_mut().insert(version);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    };
    with_limit_info(&shared, response)
}

fn admit(shared: &Shared, request: &Request) -> Result<ApiVersion, ApiError> {
    // Inside the nested router the URI has lost its prefix; the original keeps the version.
    let path = match request.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path(),
        None => request.uri().path(),
    };
    let version = path
        .strip_prefix("/services/data/v")
        .and_then(|rest| rest.split('/').next())
        .filter(|v| is_version(v))
        .ok_or_else(ApiError::not_found)?;
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("OAuth "))
        })
        .map(str::trim)
        .ok_or_else(ApiError::invalid_session)?;
    let now = shared.clock.now();
    let live = lock(&shared.sessions)
        .get(token)
        .is_some_and(|expires| *expires > now);
    if !live {
        return Err(ApiError::invalid_session());
    }
    let limit = shared.api_limit.load(Ordering::Relaxed);
    let admitted = shared
        .api_used
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
            (used < limit).then_some(used + 1)
        });
    if admitted.is_err() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        ));
    }
    Ok(ApiVersion(version.to_owned()))
}

/// `60.0`: digits, a dot, one digit.
fn is_version(text: &str) -> bool {
    text.split_once('.').is_some_and(|(major, minor)| {
        !major.is_empty()
            && major.len() <= 3
            && major.bytes().all(|b| b.is_ascii_digit())
            && minor.len() == 1
            && minor.bytes().all(|b| b.is_ascii_digit())
    })
}

fn with_limit_info(shared: &Shared, mut response: Response) -> Response {
    if let Ok(value) = HeaderValue::from_str(&shared.limit_info()) {
        response.headers_mut().insert("sforce-limit-info", value);
    }
    response
}
