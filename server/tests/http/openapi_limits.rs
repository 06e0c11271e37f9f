//! The OpenAPI document states the limits the handlers enforce, so that a request valid by
//! the schema is never refused with 400 (Schemathesis checks the same from outside, in
//! `scripts/schemathesis.sh`). Each limit is read from the served document and compared
//! with the constant the domain enforces, or tried at the edge.

use expedite_domain::{Limit, Prompt};
use serde_json::{Value, json};

use crate::support::TestApp;

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|parameter| parameter["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[tokio::test]
async fn documented_limits_match_the_ones_enforced() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];

    let prompt = &schemas["Ask"]["properties"]["prompt"];
    assert_eq!(prompt["maxLength"], Prompt::MAX_CHARS);
    assert_eq!(prompt["minLength"], 1);
    assert!(prompt["pattern"].is_string(), "a blank prompt is refused");
    assert_eq!(schemas["Ask"]["additionalProperties"], false);

    let key = parameter(&doc, "/api/ai/query", "post", "Idempotency-Key");
    assert_eq!(key["schema"]["maxLength"], 255);
    assert_eq!(key["schema"]["pattern"], r"^[\x21-\x7E]{1,255}$");

    for path in ["/api/ai/queries", "/api/customers", "/api/salesforce/syncs"] {
        let limit = &parameter(&doc, path, "get", "limit")["schema"];
        assert_eq!(limit["minimum"], 1, "{path}");
        assert_eq!(limit["maximum"], Limit::MAX, "{path}");
    }
    let search = &parameter(&doc, "/api/customers", "get", "search")["schema"];
    assert_eq!(search["maxLength"], 200);
    let sort = &parameter(&doc, "/api/customers", "get", "sort")["schema"];
    let orders: Vec<&str> = sort["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|order| order.as_str().unwrap())
        .collect();
    assert_eq!(orders[0], "", "an empty sort is the default");
    assert_eq!(
        orders[1..],
        expedite_domain::CustomerSort::ALL.map(|sort| sort.as_str())
    );

    let edit = &schemas["Edit"];
    assert_eq!(edit["additionalProperties"], false);
    assert_eq!(edit["minProperties"], 1);
    for field in [
        "name",
        "type",
        "industry",
        "billing_city",
        "phone",
        "website",
    ] {
        assert_eq!(edit["properties"][field]["maxLength"], 255, "{field}");
    }
    assert_eq!(
        edit["properties"]["annual_revenue"]["minimum"].as_f64(),
        Some(0.0)
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_operation_documents_the_edge_refusals() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = &operation["responses"];
            for status in ["401", "403", "413", "429"] {
                let schema = &responses[status]["content"]["application/json"]["schema"];
                assert_eq!(
                    schema["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
            assert!(
                responses["429"]["headers"]["Retry-After"].is_object(),
                "{method} {path} 429 without Retry-After"
            );
        }
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_prompt_valid_by_the_schema_is_accepted_at_its_limits() {
    let app = TestApp::spawn().await;
    app.add_user("limits@example.com", "a long test password", &[])
        .await;
    let tokens = app
        .sign_in("limits@example.com", "a long test password")
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    let pattern_edges = [
        "x".repeat(Prompt::MAX_CHARS),
        "é".repeat(Prompt::MAX_CHARS),
        " a\tb\r\nc ".to_owned(),
    ];
    for (n, prompt) in pattern_edges.into_iter().enumerate() {
        let response = app
            .client
            .post(app.url("/api/ai/query"))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("~!{{key}}|{n}"))
            .json(&json!({ "prompt": prompt }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202, "{prompt:?}");
    }
    app.shutdown().await.unwrap();
}
