//! The cost of Expedite's edge per request — request filter, rate limiter and JWT
//! verification — next to a bare axum router answering the same JSON, in one run.
//!
//! `cargo bench -p server --bench edge`. In-process (`oneshot`), no network: the numbers are
//! the layers' own CPU time.

use std::time::{Duration, Instant};

use axum::{
    Json, Router,
    body::Body,
    http::{Request, header},
    routing::get,
};
use expedite_core::Config;
use server::{AppState, router};
use tower::ServiceExt;

const REQUESTS: u32 = 20_000;

async fn time(app: &Router, make: impl Fn() -> Request<Body>) -> Duration {
    // Warm up caches (JWKS, allocator) before measuring.
    for _ in 0..200 {
        app.clone().oneshot(make()).await.unwrap();
    }
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let response = app.clone().oneshot(make()).await.unwrap();
        assert!(response.status().is_success() || response.status().is_client_error());
    }
    started.elapsed()
}

fn per_request(total: Duration) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(REQUESTS)
}

#[tokio::main]
async fn main() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_owned());
    config.rate_limits.per_minute = 10_000_000;
    config.rate_limits.burst = 10_000_000;
    let state = AppState::from_config(config).await.unwrap();
    let idp = state.auth.local.clone().unwrap();
    idp.add_user("bench@example.com", "bench password 123", &[])
        .await
        .unwrap();
    let tokens = state
        .services
        .sign_in("bench@example.com", "bench password 123", "127.0.0.1")
        .await
        .unwrap();
    let bearer = format!("Bearer {}", tokens.access_token);
    let full = router(state);

    let bare = Router::new().route(
        "/api/me",
        get(|| async { Json(serde_json::json!({"user_id": "u", "username": "bench@example.com", "groups": [], "role": "user"})) }),
    );
    let me = || {
        Request::get("/api/me")
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .unwrap()
    };
    let question = serde_json::json!({"prompt": "Which manufacturing accounts over $5M have not changed in 90 days?", "filters": {"industry": "Manufacturing", "min_revenue": 5000000}}).to_string();
    let post = || {
        Request::post("/api/nothing-here?sort=name_asc&limit=25")
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(question.clone()))
            .unwrap()
    };

    let bare_me = time(&bare, me).await;
    let full_me = time(&full, me).await;
    let full_post = time(&full, post).await;
    println!("edge cost per request ({REQUESTS} requests each, in-process):");
    println!(
        "  bare axum, GET /api/me                       {:>7.1} µs",
        per_request(bare_me)
    );
    println!(
        "  Expedite, GET /api/me (filter+limit+verify)  {:>7.1} µs",
        per_request(full_me)
    );
    println!(
        "  Expedite, POST JSON body (filter+limit+verify, 404) {:>7.1} µs",
        per_request(full_post)
    );
    println!(
        "  edge overhead on GET /api/me                 {:>7.1} µs",
        per_request(full_me) - per_request(bare_me)
    );
}
