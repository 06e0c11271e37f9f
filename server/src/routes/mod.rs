//! The router: health probes, the REST API, server functions, SSR pages and static files.

mod admin;
mod api;
mod assets;
mod customers;
mod export;
mod health;
pub(crate) mod input;
mod insights;
mod me;
mod metrics;
mod queries;
mod salesforce;

pub use api::ApiDoc;

use std::time::Duration;

use app::{App, shell};
use axum::{Router, middleware, routing::get};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tower_http::{timeout::TimeoutLayer, trace::TraceLayer};

use crate::AppState;

/// Builds the whole HTTP surface; used by the local listener, the Lambda entry and tests.
pub fn router(state: AppState) -> Router {
    let services = state.services.clone();
    let context = move || provide_context(services.clone());
    let leptos = state.leptos.clone();
    let pages = generate_route_list(App);
    let timeout = state.services.config().request_timeout;

    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::prometheus))
        .nest("/api", api::router())
        .merge(crate::auth::router());
    // The bundle (compressed, cached by its hashed names); other files through the fallback.
    assets::serve_pkg(router, &state.leptos)
        .leptos_routes_with_context(&state, pages, context.clone(), move || {
            shell(leptos.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            timeout.max(Duration::from_millis(1)),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::edge::filter,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::edge::limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::edge::security_headers,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(crate::edge::request_span))
        .layer(middleware::from_fn(crate::edge::observe))
        .with_state(state)
}

/// 202 Accepted: `body` as JSON and where to follow the work in `Location`.
fn accepted(location: &str, body: impl serde::Serialize) -> axum::response::Response {
    use axum::{
        http::{HeaderValue, StatusCode, header},
        response::IntoResponse,
    };
    let mut response = (StatusCode::ACCEPTED, axum::Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
