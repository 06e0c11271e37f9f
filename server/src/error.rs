//! The edge error type: every failure leaves the server as `{"error": {"code", "message"}}`
//! with the matching status. Internal causes are logged here, once, and never sent.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use expedite_domain::{ErrorBody, ErrorCode};

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    /// The underlying cause, for the log only.
    cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            cause: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// A failure of ours: the client learns only that something went wrong.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "Something went wrong on our side. Please try again.".into(),
            cause: Some(cause.into()),
        }
    }

    /// A dependency is down: the client may retry later.
    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            code: ErrorCode::Unavailable,
            message: "The service is temporarily unavailable. Please try again shortly.".into(),
            cause: Some(cause.into()),
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
        (status, Json(ErrorBody::new(self.code, self.message))).into_response()
    }
}
