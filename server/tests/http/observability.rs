//! Request ids and `/metrics`: what a user can quote from a failed request, and what an
//! administrator's Prometheus scrapes.

use serde_json::Value;

use crate::support::TestApp;

const PASSWORD: &str = "correct horse battery staple";

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .expect("a text header")
        .to_owned()
}

#[tokio::test]
async fn every_response_names_its_request_and_errors_repeat_it() {
    let app = TestApp::spawn().await;

    let ok = app.get("/healthz").await;
    let first = request_id(&ok);
    let again = request_id(&app.get("/healthz").await);
    assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
    assert_ne!(first, again, "each request its own id");

    // An error body carries the id the header gives, so a report can quote either.
    let missing = app.get("/api/ai/query/not-a-query").await;
    assert_eq!(missing.status(), 401);
    let id = request_id(&missing);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str(), "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");

    // A caller's own plausible id carries through; anything else is replaced.
    let traced = app
        .client
        .get(app.url("/api/nope"))
        .header("x-request-id", "client-trace.42")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&traced), "client-trace.42");
    let body: Value = traced.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], "client-trace.42");
    for hostile in ["a b", "<svg>", &"x".repeat(65)] {
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", hostile)
            .send()
            .await
            .unwrap();
        let id = request_id(&response);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{hostile:?} → {id}");
    }
}

#[tokio::test]
async fn metrics_are_for_administrators_and_count_requests_by_route() {
    let app = TestApp::spawn().await;
    app.add_user("ops@example.com", PASSWORD, &["admins"]).await;
    app.add_user("rep@example.com", PASSWORD, &[]).await;
    let bearer = |tokens: &Value| format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let admin = bearer(&app.sign_in("ops@example.com", PASSWORD).await);
    let user = bearer(&app.sign_in("rep@example.com", PASSWORD).await);

    assert_eq!(app.get("/metrics").await.status(), 401);
    let get_as = |path: &str, bearer: &str| {
        app.client
            .get(app.url(path))
            .header("authorization", bearer)
            .send()
    };
    assert_eq!(get_as("/metrics", &user).await.unwrap().status(), 403);

    let wrong = app
        .client
        .post(app.url("/auth/sign-in"))
        .json(&serde_json::json!({"email": "rep@example.com", "password": "not it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    for _ in 0..3 {
        assert_eq!(get_as("/api/me", &user).await.unwrap().status(), 200);
    }
    let scraped = get_as("/metrics", &admin).await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scraped.text().await.unwrap();
    // The route template, never the path; one series per route, method and status. Other
    // tests share the process's recorder, so counts are at least ours.
    let me_ok = series(
        &text,
        "expedite_http_requests_total",
        &[("method", "GET"), ("route", "/api/me"), ("status", "200")],
    );
    assert!(me_ok >= 3.0, "{text}");
    let refused = series(
        &text,
        "expedite_http_requests_total",
        &[("method", "GET"), ("route", "/metrics"), ("status", "403")],
    );
    assert!(refused >= 1.0, "{text}");
    assert!(
        text.contains("# TYPE expedite_http_request_duration_seconds summary"),
        "{text}"
    );
    assert!(
        series(&text, "expedite_sign_in_failures_total", &[]) >= 1.0,
        "{text}"
    );
    // Read at the scrape: this app's queue is empty.
    assert_eq!(
        series(&text, "expedite_queue_depth", &[("queue", "jobs")]),
        0.0,
        "{text}"
    );
    assert!(
        text.contains("expedite_queue_depth{queue=\"dead_letters\"} 0"),
        "{text}"
    );
}

/// The value of the series `name{labels}` in a Prometheus exposition (labels in any order).
fn series(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            let (metric, rest) = key.split_once('{').unwrap_or((key, ""));
            (metric == name
                && labels
                    .iter()
                    .all(|(label, value)| rest.contains(&format!("{label}=\"{value}\""))))
            .then(|| value.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}
