//! Error answers in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.

use axum::http::StatusCode;
use serde_json::Value;

use super::{script::ErrorKind, wire::error_body};

/// The context window the double claims in `context_length_exceeded` messages.
const CONTEXT_WINDOW: u32 = 128_000;

/// An error response: status, body and, for rate limits, the seconds to wait.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) body: Body,
    pub(crate) retry_after_secs: Option<u64>,
}

/// The body of an error response.
#[derive(Debug)]
pub(crate) enum Body {
    Json(Value),
    Text(String),
}

impl Failure {
    /// 400 `invalid_request_error`, the answer to a malformed request.
    pub(crate) fn invalid_request(message: &str, param: Option<&str>, code: Option<&str>) -> Self {
        Self::json(
            StatusCode::BAD_REQUEST,
            error_body(message, "invalid_request_error", param, code),
        )
    }

    /// 401 for a request without `Authorization: Bearer <key>`.
    pub(crate) fn missing_api_key() -> Self {
        let message = "You didn't provide an API key. You need to provide your API key in an \
            Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can \
            obtain an API key from https://platform.openai.com/account/api-keys.";
        Self::json(
            StatusCode::UNAUTHORIZED,
            error_body(message, "invalid_request_error", None, None),
        )
    }

    /// 404 for any route but the chat completions and models endpoints.
    pub(crate) fn unknown_url(method: &str, path: &str) -> Self {
        let message = format!("Invalid URL ({method} {path})");
        Self::json(
            StatusCode::NOT_FOUND,
            error_body(&message, "invalid_request_error", None, None),
        )
    }

    /// 503 for a request still held when the double stops.
    pub(crate) fn shutting_down() -> Self {
        Self::json(
            StatusCode::SERVICE_UNAVAILABLE,
            error_body("The server is shutting down.", "server_error", None, None),
        )
    }

    /// The scripted error `kind`, worded as OpenAI words it for this model, key and prompt.
    pub(crate) fn scripted(
        kind: &ErrorKind,
        model: &str,
        api_key: &str,
        prompt_tokens: u32,
    ) -> Self {
        match kind {
            ErrorKind::RateLimited { retry_after_secs } => {
                let message = format!(
                    "Rate limit reached for {model} in organization org-double on requests per \
                     min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in \
                     {retry_after_secs}s. Visit https://platform.openai.com/account/rate-limits \
                     to learn more."
                );
                Self {
                    retry_after_secs: Some(*retry_after_secs),
                    ..Self::json(
                        StatusCode::TOO_MANY_REQUESTS,
                        error_body(&message, "requests", None, Some("rate_limit_exceeded")),
                    )
                }
            }
            ErrorKind::InsufficientQuota => Self::json(
                StatusCode::TOO_MANY_REQUESTS,
                error_body(
                    "You exceeded your current quota, please check your plan and billing \
                     details. For more information on this error, read the docs: \
                     https://platform.openai.com/docs/guides/error-codes/api-errors.",
                    "insufficient_quota",
                    None,
                    Some("insufficient_quota"),
                ),
            ),
            ErrorKind::InvalidApiKey => {
                let message = format!(
                    "Incorrect API key provided: {}. You can find your API key at \
                     https://platform.openai.com/account/api-keys.",
                    mask(api_key)
                );
                Self::json(
                    StatusCode::UNAUTHORIZED,
                    error_body(
                        &message,
                        "invalid_request_error",
                        None,
                        Some("invalid_api_key"),
                    ),
                )
            }
            ErrorKind::ContextLengthExceeded => {
                let used = prompt_tokens.max(CONTEXT_WINDOW + 1);
                let message = format!(
                    "This model's maximum context length is {CONTEXT_WINDOW} tokens. However, \
                     your messages resulted in {used} tokens. Please reduce the length of the \
                     messages."
                );
                Self::invalid_request(&message, Some("messages"), Some("context_length_exceeded"))
            }
            ErrorKind::ServerError => Self::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                error_body(
                    "The server had an error while processing your request. Sorry about that!",
                    "server_error",
                    None,
                    None,
                ),
            ),
            ErrorKind::Raw { status, body } => Self {
                status: StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                body: match serde_json::from_str(body) {
                    Ok(json) => Body::Json(json),
                    Err(_) => Body::Text(body.clone()),
                },
                retry_after_secs: None,
            },
        }
    }

    fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: Body::Json(body),
            retry_after_secs: None,
        }
    }
}

/// Shows a key the way OpenAI does in error messages: its start and its last four characters.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_ends_of_a_key() {
        assert_eq!(mask("sk-test-1234567890"), "sk-***********7890");
        assert_eq!(mask("short"), "*****");
    }
}
