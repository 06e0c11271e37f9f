//! Customers and the Salesforce sync over HTTP, in demo mode: the built-in sandbox org, the
//! in-process worker and the real sync engine.

use std::time::Duration;

use serde_json::Value;

use crate::support::TestApp;

const USER: (&str, &str) = ("user@example.com", "a user's passphrase");
const ADMIN: (&str, &str) = ("admin@example.com", "an admin's passphrase");

async fn demo_app() -> (TestApp, String, String) {
    let app = TestApp::spawn_with(|config| {
        config.in_process_worker = true;
        config.demo_salesforce = true;
    })
    .await;
    app.add_user(USER.0, USER.1, &[]).await;
    app.add_user(ADMIN.0, ADMIN.1, &["admins"]).await;
    let token = |tokens: Value| tokens["access_token"].as_str().unwrap().to_owned();
    let user = token(app.sign_in(USER.0, USER.1).await);
    let admin = token(app.sign_in(ADMIN.0, ADMIN.1).await);
    (app, user, admin)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Waits until every sync run has ended, and returns the runs.
async fn settled_runs(app: &TestApp, admin: &str) -> Vec<Value> {
    for _ in 0..600 {
        let (_, runs) = get(app, admin, "/api/salesforce/syncs").await;
        let runs = runs["items"].as_array().cloned().unwrap_or_default();
        let busy = runs
            .iter()
            .any(|run| matches!(run["status"].as_str(), Some("QUEUED" | "RUNNING")));
        if !runs.is_empty() && !busy {
            return runs;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the syncs never settled")
}

#[tokio::test]
async fn demo_mode_syncs_the_sandbox_at_start_and_customers_list_search_sort_and_page() {
    let (app, user, admin) = demo_app().await;
    let runs = settled_runs(&app, &admin).await;
    assert_eq!(runs[0]["kind"], "scheduled");
    assert_eq!(runs[0]["status"], "COMPLETED", "{}", runs[0]);
    assert!(runs[0]["pulled"].as_u64().unwrap() > 2_000);

    let (status, page) = get(&app, &user, "/api/customers?limit=100&sort=revenue_desc").await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    assert!(page["next_cursor"].is_string());
    let revenues: Vec<f64> = items
        .iter()
        .filter_map(|c| c["annual_revenue"].as_f64())
        .collect();
    assert!(
        revenues.windows(2).all(|pair| pair[0] >= pair[1]),
        "sorted by revenue"
    );

    let first = &items[0];
    let word = first["name"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_lowercase();
    let (_, found) = get(
        &app,
        &user,
        &format!("/api/customers?search={word}&limit=100"),
    )
    .await;
    let found = found["items"].as_array().unwrap();
    assert!(!found.is_empty());
    for customer in found {
        let text = ["name", "industry", "type", "billing_city"]
            .iter()
            .filter_map(|field| customer[field].as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        assert!(text.contains(&word), "{word} not in {customer}");
    }

    let id = first["id"].as_str().unwrap();
    let (status, one) = get(&app, &user, &format!("/api/customers/{id}")).await;
    assert_eq!((status, &one["name"]), (200, &first["name"]));
    assert_eq!(
        get(&app, &user, "/api/customers/001000000000000AAA")
            .await
            .0,
        404
    );
    assert_eq!(
        get(&app, &user, "/api/customers?sort=sideways").await.0,
        400
    );
    assert_eq!(
        get(&app, &user, "/api/customers?cursor=nonsense").await.0,
        400
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn administrators_run_a_manual_sync_and_users_are_refused() {
    let (app, user, admin) = demo_app().await;
    settled_runs(&app, &admin).await;

    let refused = app
        .client
        .post(app.url("/api/salesforce/sync"))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(get(&app, &user, "/api/salesforce/syncs").await.0, 403);

    // A local edit, pushed by the manual sync.
    let (_, page) = get(&app, &user, "/api/customers?limit=1").await;
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let patch = |token: &str, body: Value| {
        app.client
            .patch(app.url(&format!("/api/customers/{id}")))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };
    assert_eq!(
        patch(&user, serde_json::json!({"phone": "+1 555 0100"}))
            .await
            .unwrap()
            .status(),
        403
    );
    for bad in [
        serde_json::json!({}),
        serde_json::json!({"colour": "red"}),
        serde_json::json!({"name": " "}),
        serde_json::json!({"annual_revenue": -5}),
    ] {
        assert_eq!(
            patch(&admin, bad.clone()).await.unwrap().status(),
            400,
            "{bad}"
        );
    }
    let edited = patch(
        &admin,
        serde_json::json!({"phone": "+1 555 0100", "website": null}),
    )
    .await
    .unwrap();
    assert_eq!(edited.status(), 202);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(edited["fields"], serde_json::json!(["phone", "website"]));

    let started = app
        .client
        .post(app.url("/api/salesforce/sync"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = started.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/salesforce/sync/{}", body["sync_id"].as_str().unwrap())
    );
    let runs = settled_runs(&app, &admin).await;
    let (status, run) = get(&app, &admin, &location).await;
    assert_eq!(status, 200);
    assert_eq!(run["kind"], "manual");
    assert_eq!(run["status"], "COMPLETED", "{run}");
    assert_eq!(run["pushed"], 1, "{run}");
    assert_eq!(runs.len(), 2, "the start-up poll and the manual run");
    assert_eq!(get(&app, &user, &location).await.0, 403);
    assert_eq!(
        get(&app, &admin, "/api/salesforce/sync/not-a-run").await.0,
        404
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_salesforce_a_manual_sync_is_a_clear_503() {
    let app = TestApp::spawn().await;
    app.add_user(ADMIN.0, ADMIN.1, &["admins"]).await;
    let tokens = app.sign_in(ADMIN.0, ADMIN.1).await;
    let response = app
        .client
        .post(app.url("/api/salesforce/sync"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not configured")
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn real_company_names_pass_the_request_filter_when_edited() {
    let (app, _, admin) = demo_app().await;
    settled_runs(&app, &admin).await;
    let (_, page) = get(&app, &admin, "/api/customers?limit=1").await;
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let names = [
        "O'Reilly Media",
        "Ben & Jerry's Homemade, Inc.",
        "AT&T",
        "Toys \"R\" Us",
        "1-800-Flowers.com",
        "Yahoo! Inc.",
        "Select Comfort -- Sleep Number",
        "Union Pacific; Rail Division",
        "Procter & Gamble (P&G)",
    ];
    for name in names {
        let response = app
            .client
            .patch(app.url(&format!("/api/customers/{id}")))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"name": name, "website": "https://www.example.com/?a=1&b=2"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202, "{name} was refused");
    }
    app.shutdown().await.unwrap();
}
