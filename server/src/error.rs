//! The edge error type: every failure leaves the server as `{"error": {"code", "message"}}`
//! with the matching status. Internal causes are logged here, once, and never sent.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use expedite_core::Refusal;
use expedite_domain::{ErrorBody, ErrorCode};

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    /// The underlying cause, for the log only.
    cause: Option<anyhow::Error>,
    /// `WWW-Authenticate` for 401s.
    challenge: Option<&'static str>,
    /// `Retry-After` seconds for refusals that know when to come back.
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            cause: None,
            challenge: None,
            retry_after: None,
        }
    }

    /// No credentials: 401 with a bare Bearer challenge.
    pub fn sign_in_required() -> Self {
        Self {
            challenge: Some("Bearer"),
            ..Self::new(ErrorCode::Unauthorized, "Sign in to continue.")
        }
    }

    /// Credentials that do not verify: 401 with `error="invalid_token"`.
    pub fn invalid_token() -> Self {
        Self {
            challenge: Some(r#"Bearer error="invalid_token""#),
            ..Self::new(
                ErrorCode::Unauthorized,
                "The access token is not valid. Sign in again.",
            )
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// A failure of ours: the client learns only that something went wrong.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                ErrorCode::Internal,
                "Something went wrong on our side. Please try again.",
            )
        }
    }

    /// A dependency is down: the client may retry later.
    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                ErrorCode::Unavailable,
                "The service is temporarily unavailable. Please try again shortly.",
            )
        }
    }
}

/// Every use-case error reaches the client through its one mapping ([`Refusal`]); the cause
/// of a failure of ours is kept for the log.
impl<E: Refusal> From<E> for ApiError {
    fn from(error: E) -> Self {
        let cause = error
            .is_failure()
            .then(|| anyhow::anyhow!("{error} ({error:?})"));
        Self {
            cause,
            retry_after: error.retry_after_secs(),
            ..Self::new(error.code(), error.public_message())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(cause) = &self.cause {
            tracing::error!(
                error.code = self.code.as_str(),
                error.cause = format!("{cause:#}"),
                "request failed"
            );
        }
        let mut response = (status, Json(ErrorBody::new(self.code, self.message))).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if let Some(challenge) = self.challenge {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static(challenge),
            );
        }
        response
    }
}
