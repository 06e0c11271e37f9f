//! The typed error every server function returns.

use std::fmt;

use expedite_domain::ErrorCode;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// An error a page can show: a code to branch on and a message written for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
}

impl UiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for UiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UiError {}

/// Every use-case error reaches the page through its one mapping ([`expedite_core::Refusal`]),
/// with the matching HTTP status on the response; the cause of a failure of ours is logged.
#[cfg(feature = "ssr")]
impl<E: expedite_core::Refusal> From<E> for UiError {
    fn from(error: E) -> Self {
        if error.is_failure() {
            tracing::error!(error = %error, detail = ?error, "server function failed");
        }
        if let Some(secs) = error.retry_after_secs()
            && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        {
            response.insert_header(http::header::RETRY_AFTER, secs.into());
        }
        crate::api::refuse(error.code(), error.public_message())
    }
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    /// Transport and framework failures: described in user terms, details left to the logs.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::new(
                ErrorCode::Unavailable,
                "The server could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => {
                Self::new(ErrorCode::BadRequest, "The request was not understood.")
            }
            _ => Self::new(ErrorCode::Internal, "Something went wrong on our side."),
        }
    }
}
