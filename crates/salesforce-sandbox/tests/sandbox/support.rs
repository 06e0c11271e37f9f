//! Starting sandboxes and talking to them.

use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use serde_json::Value;

pub(crate) const JWT_PRIVATE_KEY: &str = include_str!("../fixtures/jwt_private.pem");
pub(crate) const JWT_PUBLIC_KEY: &str = include_str!("../fixtures/jwt_public.pem");
pub(crate) const OTHER_PRIVATE_KEY: &str = include_str!("../fixtures/other_private.pem");

pub(crate) struct TestSandbox {
    pub(crate) sandbox: Sandbox,
    pub(crate) http: Client,
    pub(crate) token: String,
}

/// A response reduced to what the tests look at.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    /// The first `errorCode` of a Salesforce error array.
    pub(crate) fn error_code(&self) -> &str {
        self.body[0]["errorCode"].as_str().unwrap_or_default()
    }
}

pub(crate) fn config() -> SandboxConfig {
    SandboxConfig {
        jwt_public_key_pem: Some(JWT_PUBLIC_KEY.to_owned()),
        ..SandboxConfig::default()
    }
}

/// A plain-HTTP sandbox and a token from the client-credentials flow.
pub(crate) async fn start() -> TestSandbox {
    start_with(config()).await
}

pub(crate) async fn start_with(config: SandboxConfig) -> TestSandbox {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let http = Client::new();
    let mut app = TestSandbox {
        sandbox,
        http,
        token: String::new(),
    };
    let reply = app
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &app.sandbox.config().client_id.clone()),
            ("client_secret", &app.sandbox.config().client_secret.clone()),
        ])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    app.token = reply.body["access_token"].as_str().unwrap().to_owned();
    app
}

impl TestSandbox {
    pub(crate) fn api(&self, path: &str) -> String {
        format!("{}/services/data/v60.0/{path}", self.sandbox.base_url())
    }

    pub(crate) async fn token(&self, form: &[(&str, &str)]) -> Reply {
        let url = format!("{}/services/oauth2/token", self.sandbox.base_url());
        reply(self.http.post(url).form(form).send().await.unwrap()).await
    }

    pub(crate) async fn get(&self, url: &str) -> Reply {
        self.send(self.http.get(url)).await
    }

    pub(crate) async fn query(&self, soql: &str) -> Reply {
        self.send(self.http.get(self.api("query")).query(&[("q", soql)]))
            .await
    }

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        reply(request.bearer_auth(&self.token).send().await.unwrap()).await
    }

    /// Every record of a query, following `nextRecordsUrl`, asking for `batch` rows a page.
    pub(crate) async fn query_pages(
        &self,
        endpoint: &str,
        soql: &str,
        batch: usize,
    ) -> (usize, Vec<Vec<Value>>) {
        let options = format!("batchSize={batch}");
        let first = self
            .send(
                self.http
                    .get(self.api(endpoint))
                    .query(&[("q", soql)])
                    .header("Sforce-Query-Options", &options),
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let total = first.body["totalSize"].as_u64().unwrap() as usize;
        let mut pages = vec![first.body["records"].as_array().unwrap().clone()];
        let mut page = first.body;
        while page["done"] == false {
            let next = page["nextRecordsUrl"].as_str().unwrap();
            let reply = self
                .get(&format!("{}{next}", self.sandbox.base_url()))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            pages.push(reply.body["records"].as_array().unwrap().clone());
            page = reply.body;
        }
        assert!(
            page.get("nextRecordsUrl").is_none(),
            "the last page has no nextRecordsUrl"
        );
        (total, pages)
    }
}

pub(crate) async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}
