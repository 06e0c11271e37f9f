//! `GET /api/me`: who the caller is, for the UI's role-aware navigation.

use axum::Json;
use expedite_domain::Me;

use crate::auth::SignedIn;

pub(super) async fn me(SignedIn(caller): SignedIn) -> Json<Me> {
    Json(caller.me())
}
