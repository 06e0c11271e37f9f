use std::time::Duration;

use expedite_domain::{ErrorBody, ErrorCode};
use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let app = TestApp::spawn().await;
    for path in ["/api/nope", "/api/ai/querys/1", "/api"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::NotFound);
        assert!(body.error.message.contains("no API route"), "{path}");
    }
}

#[tokio::test]
async fn graceful_shutdown_returns_after_the_signal() {
    let app = TestApp::spawn_with(|config| {
        // The in-process worker must stop too, not hold shutdown up.
        config.in_process_worker = true;
    })
    .await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let addr = app.addr;
    tokio::time::timeout(Duration::from_secs(5), app.shutdown())
        .await
        .expect("shutdown within the grace period")
        .expect("clean stop");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "listener closed after shutdown"
    );
}
