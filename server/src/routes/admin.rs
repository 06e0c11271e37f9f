//! Administrators' REST routes. Every handler takes [`Admin`]: 401 signed out, 403 otherwise.

use axum::{Json, extract::State};
use expedite_domain::{ErrorBody, UserSummary};

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
