//! The REST API under `/api`. Resource routes join here as they are built; anything else
//! under `/api` is a JSON 404, never an HTML page.

use axum::{Router, http::Uri, routing::get};

use super::{admin, me::me};
use crate::{AppState, error::ApiError};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/admin/users", get(admin::users))
        .fallback(not_found)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("There is no API route at {}.", uri.path()))
}
