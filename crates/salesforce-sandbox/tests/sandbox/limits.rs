//! Usage accounting, the daily limit, injected failures and session expiry.

use std::time::Duration;

use expedite_salesforce_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{config, start, start_with};

#[tokio::test]
async fn every_api_response_reports_usage_until_the_limit() {
    let app = start().await;
    let first = app.query("SELECT Id FROM Account").await;
    assert_eq!(first.headers["sforce-limit-info"], "api-usage=1/15000");
    let bad = app.query("SELECT nonsense").await;
    assert_eq!(bad.headers["sforce-limit-info"], "api-usage=2/15000");

    app.sandbox.set_api_usage(9, 10);
    let last = app.query("SELECT Id FROM Account").await;
    assert_eq!(last.status, StatusCode::OK);
    assert_eq!(last.headers["sforce-limit-info"], "api-usage=10/10");
    let refused = app.query("SELECT Id FROM Account").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(refused.headers["sforce-limit-info"], "api-usage=10/10");
    assert_eq!(app.sandbox.api_usage(), (10, 10));
}

#[tokio::test]
async fn injected_failures_come_first_then_service_resumes() {
    let app = start().await;
    let before = app.sandbox.requests_received();
    app.sandbox.fail_next(2, 503);
    for _ in 0..2 {
        let reply = app.query("SELECT Id FROM Account").await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.error_code(), "SERVER_UNAVAILABLE");
    }
    assert_eq!(
        app.query("SELECT Id FROM Account").await.status,
        StatusCode::OK
    );
    assert_eq!(app.sandbox.requests_received() - before, 3);
}

#[tokio::test]
async fn failures_injected_at_a_path_leave_other_paths_alone() {
    let app = start().await;
    app.sandbox
        .fail_next_at("/composite/sobjects", 1, 400, "INVALID_FIELD");
    let soql = [("q", "SELECT Id FROM Account")];
    let query_all = app
        .send(app.http.get(app.api("queryAll")).query(&soql))
        .await;
    assert_eq!(query_all.status, StatusCode::OK, "{}", query_all.body);
    let body = serde_json::json!({"records": []});
    let url = app.api("composite/sobjects");
    let refused = app.send(app.http.patch(&url).json(&body)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_code(), "INVALID_FIELD");
    let served = app.send(app.http.patch(&url).json(&body)).await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
}

#[tokio::test]
async fn sessions_expire_on_command_and_after_their_ttl() {
    let app = start_with(SandboxConfig {
        session_ttl: Duration::from_secs(600),
        ..config()
    })
    .await;
    assert_eq!(
        app.query("SELECT Id FROM Account").await.status,
        StatusCode::OK
    );
    app.sandbox.advance(Duration::from_secs(601));
    let expired = app.query("SELECT Id FROM Account").await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        expired.body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}])
    );

    let fresh = app.sandbox.issue_session();
    let ok = app
        .http
        .get(app.api("query"))
        .query(&[("q", "SELECT Id FROM Account")])
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    app.sandbox.expire_sessions();
    let gone = app
        .http
        .get(app.api("query"))
        .query(&[("q", "SELECT Id FROM Account")])
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    let none = app
        .http
        .get(app.api("query"))
        .query(&[("q", "SELECT Id FROM Account")])
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
}
