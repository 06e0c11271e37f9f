//! Server-side rendering and server functions (the browser side is tested in end2end/).

use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn dashboard_is_rendered_on_the_server_with_its_data() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html:.200}");
    assert!(html.contains("Expedite"));
    assert!(
        html.contains("<title>Dashboard · Expedite</title>"),
        "{html}"
    );
    // The status card comes from the server function, resolved during SSR.
    assert!(html.contains("Self-hosted (one process)"), "{html}");
    assert!(html.contains(r#"data-testid="status-checks""#));
    // The hydration scripts point at the bundle cargo-leptos builds.
    assert!(html.contains("/pkg/expedite.js"), "{html}");
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
async fn server_function_answers_with_json_and_counts_calls() {
    let app = TestApp::spawn().await;
    let call = || async {
        let response = app
            .client
            .post(app.url("/sfn/system_status"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()
    };
    let first = call().await;
    let second = call().await;
    assert_eq!(first["deployment"], "local");
    assert_eq!(
        second["checks"].as_u64().unwrap(),
        first["checks"].as_u64().unwrap() + 1
    );
}
