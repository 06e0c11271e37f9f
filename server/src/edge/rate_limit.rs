//! Per-client rate limits (`governor`): a general bucket for every request and a stricter one
//! for sign-in attempts. Over the limit: 429 with `Retry-After` and `x-ratelimit-*` headers.

use std::{num::NonZeroU32, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use expedite_core::RateLimits;
use expedite_domain::ErrorCode;
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DefaultKeyedStateStore,
};

use super::client::client_key;
use crate::{AppState, error::ApiError};

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The limiters of one process.
pub struct RateLimiting {
    settings: RateLimits,
    general: Limiter,
    sign_in: Limiter,
}

impl std::fmt::Debug for RateLimiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiting")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl RateLimiting {
    pub fn new(settings: RateLimits) -> Self {
        let per_minute = NonZeroU32::new(settings.per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
        let sign_in = NonZeroU32::new(settings.sign_in_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            general: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
                .with_middleware::<StateInformationMiddleware>(),
            sign_in: RateLimiter::keyed(Quota::per_minute(sign_in))
                .with_middleware::<StateInformationMiddleware>(),
            settings,
        }
    }
}

/// The middleware. Health probes are not limited (load balancers call them).
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.rate_limits;
    if !limits.settings.enabled || matches!(request.uri().path(), "/healthz" | "/readyz") {
        return next.run(request).await;
    }
    let client = client_key(limits.settings.client_key, &request);
    let signing_in = request.method() == Method::POST
        && matches!(request.uri().path(), "/auth/sign-in" | "/sfn/sign_in");
    if signing_in && let Err(wait) = check(&limits.sign_in, &client) {
        tracing::warn!(client = %client, "sign-in attempts over the limit");
        return too_many(wait, limits.settings.sign_in_per_minute);
    }
    match check(&limits.general, &client) {
        Ok(remaining) => {
            let mut response = next.run(request).await;
            let headers = response.headers_mut();
            headers.insert(
                "x-ratelimit-limit",
                HeaderValue::from(limits.settings.per_minute),
            );
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            response
        }
        Err(wait) => {
            tracing::warn!(client = %client, "requests over the limit");
            too_many(wait, limits.settings.per_minute)
        }
    }
}

/// Takes one cell for `key`: the remaining capacity, or how long to wait.
fn check(limiter: &Limiter, key: &String) -> Result<u32, Duration> {
    limiter
        .check_key(key)
        .map(|snapshot| snapshot.remaining_burst_capacity())
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// The 429 for a client that must wait.
fn too_many(wait: Duration, limit: u32) -> Response {
    let retry_after = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut response = ApiError::new(
        ErrorCode::RateLimited,
        format!("Too many requests. Try again in {retry_after} s."),
    )
    .into_response();
    let headers = response.headers_mut();
    headers.insert("retry-after", HeaderValue::from(retry_after));
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
    response
}
