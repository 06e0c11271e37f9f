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

/// The built-in provider's accounts (administrators only).
#[server(prefix = "/sfn", endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<expedite_domain::UserSummary>, UiError> {
    use expedite_core::{AccessError, identity::Authenticated};
    use expedite_domain::ErrorCode;

    let services = expect_context::<expedite_core::Services>();
    let caller = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Authenticated>().cloned())
        .and_then(|authenticated| authenticated.0)
        .ok_or_else(|| UiError::new(ErrorCode::Unauthorized, "Sign in to continue."))?;
    services.list_users(&caller).await.map_err(|error| {
        let (code, status) = match error {
            AccessError::Forbidden => (ErrorCode::Forbidden, http::StatusCode::FORBIDDEN),
            AccessError::ManagedElsewhere => (ErrorCode::NotFound, http::StatusCode::NOT_FOUND),
            AccessError::Store(_) => (ErrorCode::Internal, http::StatusCode::INTERNAL_SERVER_ERROR),
        };
        expect_context::<leptos_axum::ResponseOptions>().set_status(status);
        let message = match code {
            ErrorCode::Internal => "Something went wrong on our side.".to_owned(),
            _ => error.to_string(),
        };
        UiError::new(code, message)
    })
}
