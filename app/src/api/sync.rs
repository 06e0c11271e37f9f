//! Salesforce sync runs, for administrators: start one now, list them.

use expedite_domain::{Page, SyncRun};
use leptos::prelude::*;

use crate::error::UiError;

/// Queues a manual sync (pull and push) for the worker.
#[server(prefix = "/sfn", endpoint = "request_sync")]
pub async fn request_sync() -> Result<SyncRun, UiError> {
    let caller = super::caller()?;
    super::services()
        .request_sync(&caller)
        .await
        .map_err(UiError::from)
}

/// Sync runs, newest first, from `cursor` on.
#[server(prefix = "/sfn", endpoint = "list_sync_runs")]
pub async fn list_sync_runs(cursor: Option<String>) -> Result<Page<SyncRun>, UiError> {
    let caller = super::caller()?;
    super::services()
        .sync_runs(&caller, &super::page_from(cursor))
        .await
        .map_err(UiError::from)
}
