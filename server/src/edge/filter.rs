//! The request filter in front of the router: the IP block list, the body size limit (413)
//! and the detection rules of `expedite-waf` (403, with the rule id in the log).

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use expedite_core::metrics;
use expedite_domain::ErrorCode;

use super::client::client_key;
use crate::{AppState, error::ApiError};

pub async fn filter(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let settings = &state.services.config().request_filter;
    if !settings.enabled {
        return next.run(request).await;
    }
    let client = client_key(state.services.config().rate_limits.client_key, &request);
    if client
        .parse()
        .is_ok_and(|ip| settings.blocked_ips.contains(&ip))
    {
        tracing::warn!(client = %client, rule = "ip-block-list", "request blocked");
        metrics::filter_blocked("ip");
        return blocked();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > settings.max_body_bytes) {
        return too_large(settings.max_body_bytes);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, settings.max_body_bytes).await else {
        return too_large(settings.max_body_bytes);
    };
    if let Some(block) = expedite_waf::inspect(
        &*state.waf,
        &parts.method,
        &parts.uri,
        &parts.headers,
        &bytes,
    ) {
        tracing::warn!(
            client = %client,
            rule = block.rule,
            location = ?block.location,
            path = %parts.uri.path(),
            "request blocked"
        );
        metrics::filter_blocked(block.family());
        return blocked();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn blocked() -> Response {
    ApiError::new(
        ErrorCode::Forbidden,
        "The request was blocked by the security filter.",
    )
    .into_response()
}

fn too_large(limit: usize) -> Response {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("The request body is larger than the limit of {limit} bytes."),
    )
    .into_response()
}
