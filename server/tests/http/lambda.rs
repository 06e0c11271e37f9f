//! The real `server` binary in Lambda mode, fed API Gateway REST events through a local
//! Lambda Runtime API: the same router answers as in the local deployment.

use std::{process::Stdio, time::Duration};

use expedite_test_support::lambda_runtime_api::RuntimeApi;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// An API Gateway REST (v1) proxy event as the `prod` stage of a REST API sends it.
fn rest_event(method: &str, path: &str) -> Value {
    json!({
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "abc123.execute-api.us-east-1.amazonaws.com", "Accept": "*/*"},
        "multiValueHeaders": {"Host": ["abc123.execute-api.us-east-1.amazonaws.com"], "Accept": ["*/*"]},
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": {"proxy": path.trim_start_matches('/')},
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "abc123",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTimeEpoch": 1_700_000_000_000_u64,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "test"},
            "path": format!("/prod{path}"),
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "apiId": "abc123",
            "protocol": "HTTP/1.1"
        },
        "body": null,
        "isBase64Encoded": false
    })
}

struct LambdaServer {
    api: RuntimeApi,
    _child: Child,
    _data: tempfile::TempDir,
}

impl LambdaServer {
    async fn start() -> Self {
        let api = RuntimeApi::start().await.expect("runtime api");
        let data = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env_clear()
            .envs(api.function_env("expedite-server"))
            .env("EXPEDITE_DATA_DIR", data.path())
            .env("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("server binary starts");
        Self {
            api,
            _child: child,
            _data: data,
        }
    }

    async fn call(&self, method: &str, path: &str) -> Value {
        self.api
            .invoke(rest_event(method, path), Duration::from_secs(30))
            .await
            .expect("the function answered in time")
            .expect("the function did not report an error")
    }
}

#[tokio::test]
async fn api_gateway_events_reach_the_same_router() {
    let server = LambdaServer::start().await;

    let health = server.call("GET", "/healthz").await;
    assert_eq!(health["statusCode"], 200, "{health}");
    let body: Value = serde_json::from_str(health["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "ok");

    let missing = server.call("GET", "/api/nope").await;
    assert_eq!(missing["statusCode"], 404, "{missing}");
    let body: Value = serde_json::from_str(missing["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    let page = server.call("GET", "/").await;
    assert_eq!(page["statusCode"], 200);
    let html = page["body"].as_str().unwrap();
    assert!(
        html.contains("AWS Lambda"),
        "the dashboard knows where it runs"
    );
    assert!(server.api.init_errors().is_empty());
}
