//! Server functions: the UI's way to reach the backend's use-cases during SSR and after
//! hydration. Each one is thin: take the services from context, call, map the result.
//!
//! They live under `/sfn/` so they never collide with the public REST API under `/api/`.

use expedite_domain::SystemStatus;
use leptos::prelude::*;

use crate::error::UiError;

/// The system's status as shown on the dashboard.
#[server(prefix = "/sfn", endpoint = "system_status")]
pub async fn get_system_status() -> Result<SystemStatus, UiError> {
    let services = expect_context::<expedite_core::Services>();
    Ok(services.system_status())
}
