//! Extractors for handlers: who is calling, and whether they may.

use axum::{extract::FromRequestParts, http::request::Parts};
use expedite_core::identity::{Authenticated, Caller};

use crate::error::ApiError;

/// A signed-in caller; 401 otherwise.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Caller);

/// A signed-in administrator; 401 when signed out, 403 for everyone else.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Authenticated>()
            .and_then(|auth| auth.0.clone())
            .map(Self)
            .ok_or_else(ApiError::sign_in_required)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let SignedIn(caller) = SignedIn::from_request_parts(parts, state).await?;
        match caller.require_admin() {
            Ok(()) => Ok(Self(caller)),
            Err(refused) => {
                tracing::warn!(user.id = %caller.user_id, path = %parts.uri.path(), "admin route refused");
                Err(refused.into())
            }
        }
    }
}
