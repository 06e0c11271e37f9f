//! The dashboard's system status and the administrators' account list.

use expedite_domain::{SystemStatus, UserSummary};
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
