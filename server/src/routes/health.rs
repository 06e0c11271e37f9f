//! Liveness and readiness probes.

use axum::{Json, extract::State};
use serde_json::{Value, json};

use crate::{AppState, error::ApiError};

/// Liveness: the process answers HTTP.
pub(super) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the process can serve real requests, i.e. its store answers.
pub(super) async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state
        .services
        .ready()
        .await
        .map_err(ApiError::unavailable)?;
    Ok(Json(json!({"status": "ready"})))
}
