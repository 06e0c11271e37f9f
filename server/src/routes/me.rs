//! `GET /api/me`: who the caller is, for the UI's role-aware navigation.

use axum::Json;
use expedite_domain::Role;
use serde::Serialize;

use crate::auth::SignedIn;

/// The caller's identity and role.
#[derive(Debug, Serialize)]
pub(super) struct Me {
    user_id: String,
    username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    groups: Vec<String>,
    role: Role,
}

pub(super) async fn me(SignedIn(caller): SignedIn) -> Json<Me> {
    Json(Me {
        user_id: caller.user_id.to_string(),
        username: caller.username,
        email: caller.email,
        groups: caller.groups,
        role: caller.role,
    })
}
