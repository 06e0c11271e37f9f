//! Server-side rendering and server functions (the browser side is tested in end2end/).

use serde_json::Value;

use crate::support::TestApp;

const PASSWORD: &str = "correct horse battery";

/// A `Cookie` header for a signed-in session.
async fn session_cookie(app: &TestApp, groups: &[&str]) -> String {
    app.add_user("page@example.com", PASSWORD, groups).await;
    let tokens = app.sign_in("page@example.com", PASSWORD).await;
    format!(
        "expedite_access={}",
        tokens["access_token"].as_str().unwrap()
    )
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    // Browsers ask for HTML; leptos answers them with a real 302.
    let response = app
        .client
        .get(app.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/sign-in?next=/");
    let page = app.get("/sign-in").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"autocomplete="current-password""#),
        "{html}"
    );
    assert!(html.contains("<title>Sign in · Expedite</title>"));
}

#[tokio::test]
async fn the_overview_and_the_system_page_are_rendered_on_the_server_with_their_data() {
    let app = TestApp::spawn().await;
    let cookie = session_cookie(&app, &["admins"]).await;
    let response = app
        .client
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html:.200}");
    assert!(html.contains("Expedite"));
    assert!(
        html.contains("<title>Overview · Expedite</title>"),
        "{html}"
    );
    // The overview comes from its server function, resolved during SSR: a fresh store has no
    // customers yet.
    assert!(html.contains(r#"data-testid="overview-empty""#), "{html}");
    let system = app
        .client
        .get(app.url("/admin/system"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(system.contains("Self-hosted (one process)"), "{system}");
    assert!(system.contains(r#"data-testid="status-checked""#));
    // The hydration scripts point at the bundle cargo-leptos builds, whoever built the server
    // (this one was built by cargo, as cargo-lambda builds the AWS one): `expedite.wasm`,
    // never the `expedite_bg.wasm` Leptos names without LEPTOS_OUTPUT_NAME.
    assert!(html.contains("/pkg/expedite.js"), "{html}");
    assert!(html.contains("/pkg/expedite.wasm"), "{html}");
    assert!(!html.contains("_bg.wasm"), "{html}");
    assert!(
        !html.contains("data-hydrated"),
        "only the browser marks hydration"
    );
}

#[tokio::test]
async fn unknown_pages_render_the_not_found_page_with_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn the_status_server_function_answers_signed_in_callers_only() {
    let app = TestApp::spawn().await;
    let origin = format!("http://{}", app.addr);
    let call = |cookie: Option<String>| {
        let mut request = app
            .client
            .post(app.url("/sfn/system_status"))
            .header("origin", &origin)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let refused = call(None).await.unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");

    let cookie = session_cookie(&app, &[]).await;
    let first: Value = call(Some(cookie.clone()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["deployment"], "local");
    assert_eq!(first["demo_answers"], true, "no AI provider in the tests");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second: Value = call(Some(cookie)).await.unwrap().json().await.unwrap();
    assert_ne!(
        first["checked_at"], second["checked_at"],
        "a new snapshot each time"
    );
}

#[tokio::test]
async fn a_question_waiting_for_its_next_try_says_why_on_its_page() {
    use expedite_core::{clock::Clock, identity::Caller};

    let app = TestApp::spawn().await;
    let cookie = session_cookie(&app, &[]).await;
    let services = &app.state.services;
    let me: Value = app
        .client
        .get(app.url("/api/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let caller = Caller {
        user_id: expedite_domain::UserId::parse(me["user_id"].as_str().unwrap()).unwrap(),
        username: "page".into(),
        email: None,
        groups: Vec::new(),
        role: expedite_domain::Role::User,
    };
    let query = services
        .submit_query(&caller, "Who leads?", None)
        .await
        .unwrap();
    // A first delivery that met a rate limit: back to QUEUED with why and when.
    let now = expedite_core::clock::SystemClock.now();
    let store = services.store();
    store
        .start_query(&query.id, 0, now, now)
        .await
        .unwrap()
        .unwrap();
    let retry_at = now.plus_millis(20_000);
    store
        .requeue_query(
            &query.id,
            1,
            "the AI provider is rate limiting requests",
            retry_at,
            now,
        )
        .await
        .unwrap();

    let html = app
        .client
        .get(app.url(&format!("/ask?query={}", query.id)))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="query-notice""#), "{html}");
    assert!(
        html.contains("Attempt 1 did not finish: the AI provider is rate limiting requests."),
        "{html}"
    );
    assert!(html.contains("Next try:"), "{html}");
}
