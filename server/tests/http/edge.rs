//! Security headers and rate limits, on a real listener on 127.0.0.1.

use expedite_core::ClientKey;
use reqwest::header;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn every_response_carries_security_headers_and_pages_a_nonce_csp() {
    let app = TestApp::spawn().await;
    let api = app.get("/api/nope").await;
    assert_eq!(api.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(api.headers()[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(
        api.headers()[header::REFERRER_POLICY],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(
        api.headers()[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert!(
        api.headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none(),
        "no HSTS over plain HTTP"
    );

    let page = app.get("/sign-in").await;
    let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the scripts carry the CSP's nonce"
    );
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");

    let again = app.get("/sign-in").await;
    assert_ne!(
        again.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap(),
        csp,
        "a fresh nonce per response"
    );
}

#[tokio::test]
async fn a_burst_from_one_client_gets_429s_while_others_are_served() {
    let app = TestApp::spawn_with(|config| {
        config.rate_limits.client_key = ClientKey::ForwardedFor;
        config.rate_limits.per_minute = 60;
        config.rate_limits.burst = 5;
    })
    .await;
    let from = |client: &'static str| {
        app.client
            .get(app.url("/api/nope"))
            .header("x-forwarded-for", format!("6.6.6.6, {client}"))
    };
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let response = from("203.0.113.1").send().await.unwrap();
        if response.status() == 429 {
            let retry_after: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&retry_after));
            assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited");
            statuses.push(429);
        } else {
            assert_eq!(response.headers()["x-ratelimit-limit"], "60");
            statuses.push(response.status().as_u16());
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        5,
        "the burst is served: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        7,
        "{statuses:?}"
    );

    assert_eq!(
        from("198.51.100.7").send().await.unwrap().status(),
        404,
        "another client is unaffected"
    );
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "probes are never limited"
    );
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_client_and_per_account() {
    let app = TestApp::spawn_with(|config| {
        config.rate_limits.client_key = ClientKey::ForwardedFor;
        config.rate_limits.sign_in_per_minute = 3;
        config.rate_limits.sign_in_account_failures = 3;
    })
    .await;
    let attempt = |client: String, email: &'static str| {
        app.client
            .post(app.url("/auth/sign-in"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": email, "password": "guessing"}))
            .send()
    };
    // One client guessing different accounts: stopped after 3.
    let mut statuses = Vec::new();
    for email in [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ] {
        statuses.push(
            attempt("203.0.113.5".into(), email)
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
    // Many clients guessing one account: stopped after 3 too.
    let mut statuses = Vec::new();
    for n in 0..4 {
        statuses.push(
            attempt(format!("198.51.100.{n}"), "victim@example.com")
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 429]);
}

#[tokio::test]
async fn attacks_are_refused_and_questions_pass() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/customers?id=1%27%20OR%20%271%27%3D%271",
        "/api/customers?file=..%2F..%2Fetc%2Fpasswd",
        "/sign-in?next=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 403, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let question =
        json!({"prompt": "accounts where Type = 'Partner' or Industry is null; <b>urgent</b>"});
    let response = app
        .client
        .post(app.url("/api/ai/query"))
        .json(&question)
        .send()
        .await
        .unwrap();
    assert_ne!(
        response.status(),
        403,
        "free text in the prompt is not an attack"
    );
}

#[tokio::test]
async fn oversized_bodies_get_413_and_blocked_addresses_403() {
    let app = TestApp::spawn_with(|config| {
        config.request_filter.max_body_bytes = 1024;
        config.request_filter.blocked_ips = vec!["203.0.113.66".parse().unwrap()];
        config.rate_limits.client_key = ClientKey::ForwardedFor;
    })
    .await;
    let big = json!({"prompt": "x".repeat(4096)});
    let response = app
        .client
        .post(app.url("/auth/sign-in"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");

    let refused = app
        .client
        .get(app.url("/healthz"))
        .header("x-forwarded-for", "203.0.113.66")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let other = app
        .client
        .get(app.url("/healthz"))
        .header("x-forwarded-for", "203.0.113.67")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}
