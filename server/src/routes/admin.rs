//! Administrators' REST routes. Every handler takes [`Admin`]: 401 signed out, 403 otherwise.

use axum::{Json, extract::State};
use expedite_core::ops::MAX_WINDOW_HOURS;
use expedite_domain::{ErrorBody, ErrorCode, Operations, UserSummary};
use serde::Deserialize;

use super::input::Params;
use crate::{AppState, auth::Admin, error::ApiError};

/// The built-in identity provider's accounts (administrators only).
#[utoipa::path(
    get, path = "/api/admin/users", tag = "Identity",
    responses(
        (status = 200, body = Vec<UserSummary>),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "Not an administrator, blocked by the request filter, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "Accounts are managed in the identity provider (Cognito).", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn users(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<Vec<UserSummary>>, ApiError> {
    state
        .services
        .list_users(&caller)
        .await
        .map(Json)
        .map_err(ApiError::from)
}

/// `?hours=` of the operations report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct WindowParams {
    /// Hours to cover, the current one included: 1 to 744 (31 days; default 48).
    #[param(minimum = 1, maximum = 744)]
    hours: Option<u32>,
}

/// The Operations page's figures: per-hour rollups of questions, model calls and latency,
/// tokens, retries, request-filter blocks and 429s; the job queue now; the newest sync runs.
#[utoipa::path(
    get, path = "/api/admin/operations", tag = "Operations",
    params(WindowParams),
    responses(
        (status = 200, body = Operations),
        (status = 400, description = "`hours` is out of range.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "Not an administrator, blocked by the request filter, or a cross-site request.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn operations(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Params(window): Params<WindowParams>,
) -> Result<Json<Operations>, ApiError> {
    let hours = window.hours.unwrap_or(48);
    if !(1..=MAX_WINDOW_HOURS).contains(&hours) {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("hours must be between 1 and {MAX_WINDOW_HOURS}."),
        ));
    }
    state
        .services
        .operations(&caller, hours)
        .await
        .map(Json)
        .map_err(ApiError::from)
}
