//! The dashboard's system status, the administrators' account list and the operations report.

use expedite_domain::{Operations, SystemStatus, UserSummary};
use leptos::prelude::*;

use crate::error::UiError;

/// The system's status as shown on the dashboard.
#[server(prefix = "/sfn", endpoint = "system_status")]
pub async fn get_system_status() -> Result<SystemStatus, UiError> {
    let caller = super::caller()?;
    Ok(super::services().system_status(&caller))
}

/// The built-in provider's accounts (administrators only).
#[server(prefix = "/sfn", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, UiError> {
    let caller = super::caller()?;
    super::services()
        .list_users(&caller)
        .await
        .map_err(UiError::from)
}

/// The Operations page's figures over the last `hours` hours (administrators only).
#[server(prefix = "/sfn", endpoint = "operations")]
pub async fn get_operations(hours: u32) -> Result<Operations, UiError> {
    let caller = super::caller()?;
    super::services()
        .operations(&caller, hours)
        .await
        .map_err(UiError::from)
}
