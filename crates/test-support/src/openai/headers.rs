//! The headers OpenAI puts on its answers: request id, rate limits, `retry-after`.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// The limits the rate-limit headers report.
const REQUESTS_PER_MINUTE: u32 = 10_000;
const TOKENS_PER_MINUTE: u32 = 2_000_000;

pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `x-request-id`, the rate-limit headers, and `retry-after` when `retry_after_secs` is set
/// (which also empties the request budget, as a real rate limit does).
pub(crate) fn openai(
    held: Duration,
    prompt_tokens: Option<u32>,
    retry_after_secs: Option<u64>,
) -> HeaderMap {
    let remaining_requests = if retry_after_secs.is_some() {
        0
    } else {
        REQUESTS_PER_MINUTE - 1
    };
    let reset_requests =
        retry_after_secs.map_or_else(|| "6ms".to_owned(), |secs| format!("{secs}s"));
    let remaining_tokens = TOKENS_PER_MINUTE.saturating_sub(prompt_tokens.unwrap_or(0));
    let mut pairs = vec![
        ("openai-version", "2020-10-01".to_owned()),
        ("openai-processing-ms", held.as_millis().to_string()),
        (
            "x-ratelimit-limit-requests",
            REQUESTS_PER_MINUTE.to_string(),
        ),
        ("x-ratelimit-limit-tokens", TOKENS_PER_MINUTE.to_string()),
        (
            "x-ratelimit-remaining-requests",
            remaining_requests.to_string(),
        ),
        ("x-ratelimit-remaining-tokens", remaining_tokens.to_string()),
        ("x-ratelimit-reset-requests", reset_requests),
        ("x-ratelimit-reset-tokens", "0s".to_owned()),
    ];
    if let Some(secs) = retry_after_secs {
        pairs.push(("retry-after", secs.to_string()));
    }
    let mut headers: HeaderMap = pairs
        .into_iter()
        .filter_map(|(name, value)| {
            Some((
                HeaderName::from_static(name),
                HeaderValue::from_str(&value).ok()?,
            ))
        })
        .collect();
    headers.insert(X_REQUEST_ID, request_id());
    headers
}

/// `req_` and 32 hex digits, like OpenAI's request ids.
pub(crate) fn request_id() -> HeaderValue {
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("req_double"))
}
