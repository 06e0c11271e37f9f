//! Per-client rate limits (`governor`): a general bucket for every request and a stricter one
//! for sign-in attempts. Over the limit: 429 with `Retry-After` and `x-ratelimit-*` headers.
//! The middleware also tells the handlers who the client is ([`ClientAddress`], for the
//! per-account sign-in limits) and gives any 429 from further in a `Retry-After`.

use std::{num::NonZeroU32, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use expedite_core::{RateLimits, identity::ClientAddress};
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

/// What a 429 without a known wait (say, from the identity provider's own throttling) asks for.
const DEFAULT_RETRY_AFTER_SECS: u32 = 5;

/// The middleware. Health probes are not limited (load balancers call them).
pub async fn limit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let limits = &state.rate_limits;
    let client = client_key(limits.settings.client_key, &request);
    request
        .extensions_mut()
        .insert(ClientAddress(client.clone()));
    if !limits.settings.enabled || matches!(request.uri().path(), "/healthz" | "/readyz") {
        return with_retry_after(next.run(request).await);
    }
    let signing_in = request.method() == Method::POST
        && matches!(request.uri().path(), "/auth/sign-in" | "/sfn/sign_in");
    if signing_in && let Err(wait) = check(&limits.sign_in, &client) {
        tracing::warn!(client = %client, "sign-in attempts over the limit");
        expedite_core::metrics::rate_limited("sign_in");
        return too_many(wait, limits.settings.sign_in_per_minute);
    }
    match check(&limits.general, &client) {
        Ok(remaining) => {
            let mut response = with_retry_after(next.run(request).await);
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
            expedite_core::metrics::rate_limited("requests");
            too_many(wait, limits.settings.per_minute)
        }
    }
}

/// Every 429 says when to come back, even one whose wait nobody knows.
fn with_retry_after(mut response: Response) -> Response {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(HeaderValue::from(DEFAULT_RETRY_AFTER_SECS));
    }
    response
}

/// Whole seconds to wait, rounded up and at least one (`Retry-After` has no fractions).
fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
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
    let retry_after = retry_after_secs(wait);
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
