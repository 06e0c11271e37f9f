//! The Salesforce sync routes, for administrators: run a sync now, and read the runs.

use axum::{
    Json,
    extract::{Path, State},
    response::Response,
};
use expedite_domain::{ErrorBody, Page, SyncRun, SyncStatus};
use serde::Serialize;

use super::input::{PageParams, Params};
use crate::{AppState, auth::Admin, error::ApiError};

/// What `POST /api/salesforce/sync` answers: the run to follow.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SyncAccepted {
    sync_id: String,
    status: SyncStatus,
}

/// Start a manual sync (pull, then push local edits); the worker runs it.
#[utoipa::path(
    post, path = "/api/salesforce/sync", tag = "Salesforce",
    responses(
        (status = 202, body = SyncAccepted, headers(("Location" = String, description = "The run's URL."))),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "Not an administrator, blocked by the request filter, or a cross-site request.", body = ErrorBody),
        (status = 503, description = "Salesforce not configured, the run could not be queued, or the store is unavailable.", body = ErrorBody),
    )
)]
pub(super) async fn start(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Response, ApiError> {
    let run = state.services.request_sync(&caller).await?;
    let body = SyncAccepted {
        sync_id: run.id.to_string(),
        status: run.status,
    };
    Ok(super::accepted(
        &format!("/api/salesforce/sync/{}", run.id),
        body,
    ))
}

/// Sync runs, newest first.
#[utoipa::path(
    get, path = "/api/salesforce/syncs", tag = "Salesforce",
    params(PageParams),
    responses(
        (status = 200, body = Page<SyncRun>),
        (status = 400, description = "Bad cursor or limit.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "Not an administrator, blocked by the request filter, or a cross-site request.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn runs(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Params(params): Params<PageParams>,
) -> Result<Json<Page<SyncRun>>, ApiError> {
    let page = params.page()?;
    let runs = state.services.sync_runs(&caller, &page).await?;
    Ok(Json(runs))
}

/// One sync run with its counts and per-record issues.
#[utoipa::path(
    get, path = "/api/salesforce/sync/{id}", tag = "Salesforce",
    params(("id" = String, Path, pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description = "The sync run id (a lowercase UUID; any other value is a 404).")),
    responses(
        (status = 200, body = SyncRun),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "Not an administrator, blocked by the request filter, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "No such run.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn run(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<Json<SyncRun>, ApiError> {
    let run = state.services.sync_run(&caller, &id).await?;
    Ok(Json(run))
}
