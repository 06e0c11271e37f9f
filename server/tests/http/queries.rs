//! The AI-query API with the in-process worker and the demo responder, over real HTTP.

use std::time::Duration;

use expedite_test_support::conformance::{T0, customer};
use serde_json::{Value, json};

use crate::support::TestApp;

const ALICE: (&str, &str) = ("alice@example.com", "correct horse battery");
const BOB: (&str, &str) = ("bob@example.com", "another long passphrase");
const ADA: (&str, &str) = ("ada@example.com", "administrator passphrase");

/// The app with the worker in-process, three accounts and a few customers.
async fn app() -> (TestApp, String, String, String) {
    let app = TestApp::spawn_with(|config| config.in_process_worker = true).await;
    app.add_user(ALICE.0, ALICE.1, &[]).await;
    app.add_user(BOB.0, BOB.1, &[]).await;
    app.add_user(ADA.0, ADA.1, &["admins"]).await;
    let mut customers = vec![
        customer(1, "Acme Corporation", T0),
        customer(2, "Globex", T0),
        customer(3, "Initech", T0),
    ];
    for (n, customer) in customers.iter_mut().enumerate() {
        customer.annual_revenue = Some(1_000_000.0 * (n as f64 + 1.0));
        customer.industry = Some("Manufacturing".to_owned());
    }
    app.state
        .services
        .store()
        .upsert_customers(&customers)
        .await
        .unwrap();
    let token = |tokens: Value| tokens["access_token"].as_str().unwrap().to_owned();
    let alice = token(app.sign_in(ALICE.0, ALICE.1).await);
    let bob = token(app.sign_in(BOB.0, BOB.1).await);
    let ada = token(app.sign_in(ADA.0, ADA.1).await);
    (app, alice, bob, ada)
}

async fn ask(app: &TestApp, token: &str, body: Value, key: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/ai/query"))
        .bearer_auth(token)
        .json(&body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Polls the query until it is COMPLETED or FAILED.
async fn finished(app: &TestApp, token: &str, location: &str) -> Value {
    for _ in 0..200 {
        let query: Value = get(app, token, location).await.json().await.unwrap();
        if matches!(query["status"].as_str(), Some("COMPLETED" | "FAILED")) {
            return query;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the query never finished")
}

#[tokio::test]
async fn a_question_is_queued_answered_by_the_worker_and_cites_real_customers() {
    let (app, alice, _, _) = app().await;
    let response = ask(
        &app,
        &alice,
        json!({"prompt": "  Who are our largest customers?  "}),
        None,
    )
    .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "QUEUED");
    assert_eq!(
        location,
        format!("/api/ai/query/{}", body["query_id"].as_str().unwrap())
    );

    let query = finished(&app, &alice, &location).await;
    assert_eq!(query["status"], "COMPLETED", "{query}");
    assert_eq!(query["prompt"], "Who are our largest customers?");
    let answer = query["answer"].as_str().unwrap();
    assert!(answer.starts_with("Demo responder"), "{answer}");
    assert!(answer.contains("Initech"), "{answer}");
    // Largest first, and every citation is a customer the tools returned.
    let citations: Vec<&str> = query["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(citations.len(), 3);
    assert_eq!(citations[0], customer(3, "", T0).id.as_str());
    assert_eq!(query["attempts"], 1);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_prompts_and_bodies_are_400_with_a_clear_message() {
    let (app, alice, _, _) = app().await;
    let cases = [
        (json!({"prompt": ""}), "empty"),
        (json!({"prompt": "   \n "}), "empty"),
        (json!({"prompt": "x".repeat(2001)}), "too long"),
        (json!({"question": "hi"}), "wrong shape"),
        (json!({"prompt": 42}), "wrong shape"),
    ];
    for (body, expected) in cases {
        let response = ask(&app, &alice, body.clone(), None).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "bad_request");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    let not_json = app
        .client
        .post(app.url("/api/ai/query"))
        .bearer_auth(&alice)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let signed_out = app
        .client
        .post(app.url("/api/ai/query"))
        .json(&json!({"prompt": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 401);
    // Nothing was stored by any of these.
    let history: Value = get(&app, &alice, "/api/ai/queries")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["items"].as_array().unwrap().len(), 0);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_idempotency_key_returns_the_same_query_for_the_same_user_only() {
    let (app, alice, bob, _) = app().await;
    let body = json!({"prompt": "How many customers per industry?"});
    let first: Value = ask(&app, &alice, body.clone(), Some("k-1"))
        .await
        .json()
        .await
        .unwrap();
    let again: Value = ask(&app, &alice, body.clone(), Some("k-1"))
        .await
        .json()
        .await
        .unwrap();
    let other: Value = ask(&app, &bob, body.clone(), Some("k-1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["query_id"], again["query_id"]);
    assert_ne!(first["query_id"], other["query_id"]);
    let bad = ask(&app, &alice, body, Some(&"k".repeat(300))).await;
    assert_eq!(bad.status(), 400);
    let history: Value = get(&app, &alice, "/api/ai/queries")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn another_users_query_is_404_but_administrators_may_read_it() {
    let (app, alice, bob, ada) = app().await;
    let response = ask(&app, &alice, json!({"prompt": "Top customers?"}), None).await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(get(&app, &bob, &location).await.status(), 404);
    assert_eq!(get(&app, &ada, &location).await.status(), 200);
    assert_eq!(get(&app, &alice, &location).await.status(), 200);
    for missing in [
        "/api/ai/query/not-an-id",
        "/api/ai/query/00000000-0000-4000-8000-000000000000",
    ] {
        let response = get(&app, &alice, missing).await;
        assert_eq!(response.status(), 404);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "not_found");
    }
    let history: Value = get(&app, &bob, "/api/ai/queries")
        .await
        .json()
        .await
        .unwrap();
    assert!(history["items"].as_array().unwrap().is_empty());
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn history_is_newest_first_and_paginated() {
    let (app, alice, _, _) = app().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let body: Value = ask(
            &app,
            &alice,
            json!({"prompt": format!("question {n}")}),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        ids.push(body["query_id"].as_str().unwrap().to_owned());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/ai/queries?limit=2".to_owned();
    loop {
        let page: Value = get(&app, &alice, &path).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["query_id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/ai/queries?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
    for bad in [
        "/api/ai/queries?limit=0",
        "/api/ai/queries?limit=101",
        "/api/ai/queries?limit=x",
        "/api/ai/queries?cursor=garbage",
    ] {
        assert_eq!(get(&app, &alice, bad).await.status(), 400, "{bad}");
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route_with_its_errors() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routes = [
        ("/api/me", "get"),
        ("/api/admin/users", "get"),
        ("/api/admin/operations", "get"),
        ("/api/ai/query", "post"),
        ("/api/ai/query/{id}", "get"),
        ("/api/ai/queries", "get"),
        ("/api/overview", "get"),
        ("/api/customers", "get"),
        ("/api/customers/count", "get"),
        ("/api/customers/totals", "get"),
        ("/api/customers/export", "get"),
        ("/api/customers/{id}/account", "get"),
        ("/api/customers/{id}", "get"),
        ("/api/customers/{id}", "patch"),
        ("/api/salesforce/sync", "post"),
        ("/api/salesforce/syncs", "get"),
        ("/api/salesforce/sync/{id}", "get"),
    ];
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        routes.len(),
        "undocumented or stale paths: {:?}",
        paths.keys()
    );
    for (path, method) in routes {
        let operation = &doc["paths"][path][method];
        let responses = operation["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} missing"));
        assert!(responses.contains_key("401"), "{method} {path} has no 401");
        assert!(responses.keys().any(|status| status.starts_with('2')));
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in ["AiQuery", "Customer", "SyncRun", "ErrorBody", "QueryStatus"] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
    app.shutdown().await.unwrap();
}
