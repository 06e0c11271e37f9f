//! `GET /api/me`: who the caller is, for the UI's role-aware navigation.

use axum::Json;
use expedite_domain::{ErrorBody, Me};

use crate::auth::SignedIn;

/// The signed-in caller and their role.
#[utoipa::path(
    get, path = "/api/me", tag = "Identity",
    responses(
        (status = 200, body = Me),
        (status = 401, description = "Not signed in.", body = ErrorBody),
    )
)]
pub(super) async fn me(SignedIn(caller): SignedIn) -> Json<Me> {
    Json(caller.me())
}
