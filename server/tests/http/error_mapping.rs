//! Each use-case error kind gets the same status, code and message through the REST API and
//! through the server functions the UI calls: both convert it with its one mapping.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::TestApp;

struct Paths {
    app: TestApp,
    token: String,
}

impl Paths {
    async fn new(groups: &[&str]) -> Self {
        let app = TestApp::spawn().await;
        app.add_user("pat@example.com", "a long password 1", groups)
            .await;
        let tokens = app.sign_in("pat@example.com", "a long password 1").await;
        let token = tokens["access_token"].as_str().unwrap().to_owned();
        Self { app, token }
    }

    /// A REST call: status and `error.code`, `error.message`.
    async fn rest(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .app
            .client
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        (status, body["error"].clone())
    }

    /// A server-function call with form arguments: status and the `UiError` body.
    async fn sfn(&self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .app
            .client
            .post(self.app.url(&format!("/sfn/{endpoint}")))
            .bearer_auth(&self.token)
            .header("origin", format!("http://{}", self.app.addr))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// A server function whose arguments are JSON.
    async fn sfn_json(&self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .app
            .client
            .post(self.app.url(&format!("/sfn/{endpoint}")))
            .bearer_auth(&self.token)
            .header("origin", format!("http://{}", self.app.addr))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    async fn both_say(
        &self,
        expected: StatusCode,
        code: &str,
        rest: (StatusCode, Value),
        sfn: (StatusCode, Value),
    ) {
        assert_eq!(rest.0, expected, "REST: {:?}", rest.1);
        assert_eq!(sfn.0, expected, "server function: {:?}", sfn.1);
        assert_eq!(rest.1["code"], code, "{:?}", rest.1);
        assert_eq!(sfn.1["code"], code, "{:?}", sfn.1);
        assert_eq!(rest.1["message"], sfn.1["message"], "one message for both");
    }
}

#[tokio::test]
async fn query_errors_map_the_same_on_both_paths() {
    let paths = Paths::new(&[]).await;
    let rest = paths
        .rest(
            Method::POST,
            "/api/ai/query",
            Some(serde_json::json!({"prompt": "   "})),
        )
        .await;
    let sfn = paths.sfn("ask", &[("prompt", "   ")]).await;
    paths
        .both_say(StatusCode::BAD_REQUEST, "bad_request", rest, sfn)
        .await;

    let rest = paths
        .rest(Method::GET, "/api/ai/query/no-such-query", None)
        .await;
    let sfn = paths.sfn("get_query", &[("id", "no-such-query")]).await;
    paths
        .both_say(StatusCode::NOT_FOUND, "not_found", rest, sfn)
        .await;

    // A store error inside a query error: the cursor is the client's mistake.
    let rest = paths
        .rest(Method::GET, "/api/ai/queries?cursor=garbage", None)
        .await;
    let sfn = paths.sfn("query_history", &[("cursor", "garbage")]).await;
    paths
        .both_say(StatusCode::BAD_REQUEST, "bad_request", rest, sfn)
        .await;
}

#[tokio::test]
async fn customer_errors_map_the_same_on_both_paths() {
    let paths = Paths::new(&[]).await;
    let long = "x".repeat(201);
    let rest = paths
        .rest(Method::GET, &format!("/api/customers?search={long}"), None)
        .await;
    let sfn = paths
        .sfn_json(
            "list_customers",
            serde_json::json!({"listing": {"search": long}}),
        )
        .await;
    paths
        .both_say(StatusCode::BAD_REQUEST, "bad_request", rest, sfn)
        .await;

    let id = "001000000000000AAA";
    let rest = paths
        .rest(Method::GET, &format!("/api/customers/{id}"), None)
        .await;
    let sfn = paths.sfn("get_customer", &[("id", id)]).await;
    paths
        .both_say(StatusCode::NOT_FOUND, "not_found", rest, sfn)
        .await;
}

#[tokio::test]
async fn access_errors_map_the_same_on_both_paths() {
    let paths = Paths::new(&[]).await;
    let rest = paths.rest(Method::GET, "/api/admin/users", None).await;
    let sfn = paths.sfn("list_users", &[]).await;
    paths
        .both_say(StatusCode::FORBIDDEN, "forbidden", rest, sfn)
        .await;
}

#[tokio::test]
async fn sync_errors_map_the_same_on_both_paths() {
    // An administrator of a deployment without Salesforce.
    let paths = Paths::new(&["admins"]).await;
    let rest = paths.rest(Method::POST, "/api/salesforce/sync", None).await;
    let sfn = paths.sfn("request_sync", &[]).await;
    paths
        .both_say(StatusCode::SERVICE_UNAVAILABLE, "unavailable", rest, sfn)
        .await;

    let paths = Paths::new(&[]).await;
    let rest = paths.rest(Method::GET, "/api/salesforce/syncs", None).await;
    let sfn = paths.sfn("list_sync_runs", &[]).await;
    paths
        .both_say(StatusCode::FORBIDDEN, "forbidden", rest, sfn)
        .await;
}

#[tokio::test]
async fn sign_in_errors_map_the_same_on_both_paths() {
    let app = TestApp::spawn().await;
    app.add_user("sam@example.com", "a long password 1", &[])
        .await;
    let rest = app
        .client
        .post(app.url("/auth/sign-in"))
        .json(&serde_json::json!({"email": "sam@example.com", "password": "not it"}))
        .send()
        .await
        .unwrap();
    let rest_status = rest.status();
    let rest_body: Value = rest.json().await.unwrap();
    let sfn = app
        .client
        .post(app.url("/sfn/sign_in"))
        .header("origin", format!("http://{}", app.addr))
        .form(&[
            ("email", "sam@example.com"),
            ("password", "not it"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    let sfn_status = sfn.status();
    let sfn_body: Value = sfn.json().await.unwrap();
    assert_eq!(rest_status, StatusCode::UNAUTHORIZED, "{rest_body}");
    assert_eq!(sfn_status, StatusCode::UNAUTHORIZED, "{sfn_body}");
    assert_eq!(rest_body["error"]["code"], "unauthorized");
    assert_eq!(sfn_body["code"], "unauthorized");
    assert_eq!(rest_body["error"]["message"], sfn_body["message"]);
}
