//! Server functions: the UI's way to reach the backend's use-cases during SSR and after
//! hydration. Each one is thin: take the services and the caller, call, map the result.
//!
//! They live under `/sfn/` so they never collide with the public REST API under `/api/`.
//! A refusal sets the response's HTTP status to the one its [`ErrorCode`](expedite_domain::ErrorCode)
//! names, for the page rendered on the server and for calls from the browser alike.

mod admin;
mod customers;
mod queries;
mod sync;

pub use admin::*;
pub use customers::*;
pub use queries::*;
pub use sync::*;

#[cfg(feature = "ssr")]
use crate::error::UiError;

/// The use-cases, provided to every server function by the router.
#[cfg(feature = "ssr")]
fn services() -> expedite_core::Services {
    leptos::prelude::expect_context::<expedite_core::Services>()
}

/// The signed-in caller of this request, as the edge verified it; the one lookup in the UI.
#[cfg(feature = "ssr")]
pub(crate) fn signed_in() -> Option<expedite_core::identity::Caller> {
    use expedite_core::identity::Authenticated;

    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Authenticated>().cloned())
        .and_then(|authenticated| authenticated.0)
}

/// The signed-in caller of this request, or a 401 refusal.
#[cfg(feature = "ssr")]
fn caller() -> Result<expedite_core::identity::Caller, UiError> {
    signed_in().ok_or_else(|| {
        refuse(
            expedite_domain::ErrorCode::Unauthorized,
            "Sign in to continue.",
        )
    })
}

/// A refusal the page can show; the response gets the code's HTTP status.
#[cfg(feature = "ssr")]
pub(crate) fn refuse(code: expedite_domain::ErrorCode, message: impl Into<String>) -> UiError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        let status = http::StatusCode::from_u16(code.http_status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        response.set_status(status);
    }
    UiError::new(code, message)
}

/// The page-request a listing asks for: from a cursor, with the default size.
#[cfg(feature = "ssr")]
fn page_from(cursor: Option<String>) -> expedite_domain::PageRequest {
    expedite_domain::PageRequest {
        cursor: cursor.filter(|cursor| !cursor.is_empty()),
        limit: expedite_domain::Limit::DEFAULT,
    }
}
