//! Salesforce's error shapes: the REST error array and the OAuth error object.

use std::borrow::Cow;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One REST API failure, rendered as `[{"message","errorCode","fields"}]` with its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: Cow<'static, str>,
    pub(crate) message: String,
    pub(crate) fields: Vec<String>,
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    message: &'a str,
    #[serde(rename = "errorCode")]
    error_code: &'a str,
    fields: &'a [String],
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A single-record write's failure as the REST error array.
    pub(crate) fn from_record(status: StatusCode, error: RecordError) -> Self {
        Self {
            status,
            code: Cow::Owned(error.status_code),
            message: error.message,
            fields: error.fields,
        }
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn malformed_query(message: impl Into<String>) -> Self {
        Self::bad_request("MALFORMED_QUERY", message)
    }

    pub(crate) fn invalid_field(message: impl Into<String>) -> Self {
        Self::bad_request("INVALID_FIELD", message)
    }

    pub(crate) fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    pub(crate) fn invalid_session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub(crate) fn json_parser(detail: impl std::fmt::Display) -> Self {
        Self::bad_request(
            "JSON_PARSER_ERROR",
            format!("The request body is not valid JSON: {detail}"),
        )
    }

    /// The error a configured `fail_next` answers with: Salesforce's code for the status.
    pub(crate) fn injected(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            503 => "SERVER_UNAVAILABLE",
            429 | 403 => "REQUEST_LIMIT_EXCEEDED",
            401 => "INVALID_SESSION_ID",
            _ => "UNKNOWN_EXCEPTION",
        };
        let reason = status.canonical_reason().unwrap_or("Injected failure");
        Self::new(status, code, reason)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = [ErrorItem {
            message: &self.message,
            error_code: &self.code,
            fields: &self.fields,
        }];
        (self.status, Json(body)).into_response()
    }
}

/// An OAuth token failure: 400 `{"error","error_description"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OAuthError {
    error: &'static str,
    error_description: &'static str,
}

impl OAuthError {
    pub(crate) const fn new(error: &'static str, error_description: &'static str) -> Self {
        Self {
            error,
            error_description,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, Json(self)).into_response()
    }
}

/// One per-record failure inside a collections result: `{"statusCode","message","fields"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RecordError {
    #[serde(rename = "statusCode")]
    pub(crate) status_code: String,
    pub(crate) message: String,
    pub(crate) fields: Vec<String>,
}

impl RecordError {
    pub(crate) fn new(status_code: &str, message: impl Into<String>, fields: &[&str]) -> Self {
        Self {
            status_code: status_code.to_owned(),
            message: message.into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        }
    }
}
