//! `GET /metrics`: the Prometheus exposition of this process, for administrators only (the
//! numbers describe the whole deployment). The queue's depth is read at each scrape. On Lambda
//! metrics leave as CloudWatch EMF lines instead (SQS publishes its own depth), and this
//! answers 404.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use expedite_core::metrics;

use crate::{AppState, auth::Admin, error::ApiError};

pub(super) async fn prometheus(Admin(_): Admin, State(state): State<AppState>) -> Response {
    if !expedite_runtime::telemetry::serves_prometheus() {
        return ApiError::not_found(
            "This deployment publishes its metrics to CloudWatch, not at /metrics.",
        )
        .into_response();
    }
    match state.services.queue().depth().await {
        Ok(depth) => metrics::queue_depth(depth.waiting, depth.dead_letters, depth.oldest_age),
        Err(error) => tracing::warn!(%error, "queue depth unavailable for /metrics"),
    }
    let text = expedite_runtime::telemetry::prometheus_text().unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
