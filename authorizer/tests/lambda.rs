//! The real `authorizer` binary in Lambda mode, fed REQUEST authorizer events through a local
//! Lambda Runtime API, verifying access tokens minted by a Cognito user pool in moto.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use expedite_aws::{
    CognitoIdp,
    provision::{self, PasswordKind},
};
use expedite_core::identity::IdentityProvider;
use expedite_test_support::lambda_runtime_api::{InvocationResult, RuntimeApi};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const EMAIL: &str = "ops@example.com";
const PASSWORD: &str = "Ops-Passw0rd-123!";

/// A REQUEST authorizer event as API Gateway sends it for `method path` on the `prod` stage.
fn authorizer_event(method: &str, path: &str, headers: &[(&str, &str)]) -> Value {
    let mut event = json!({
        "type": "REQUEST",
        "methodArn": method_arn(method, path),
        "resource": "/api/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "abc123.execute-api.us-east-1.amazonaws.com", "Accept": "*/*"},
        "multiValueHeaders": {
            "Host": ["abc123.execute-api.us-east-1.amazonaws.com"],
            "Accept": ["*/*"]
        },
        "queryStringParameters": {},
        "multiValueQueryStringParameters": {},
        "pathParameters": {"proxy": path.trim_start_matches("/api/")},
        "stageVariables": {},
        "requestContext": {
            "path": format!("/prod{path}"),
            "accountId": "123456789012",
            "resourceId": "r1",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "test", "apiKey": "", "sourceIpList": ""},
            "resourcePath": "/api/{proxy+}",
            "httpMethod": method,
            "apiId": "abc123"
        }
    });
    for (name, value) in headers {
        event["headers"][*name] = json!(value);
        event["multiValueHeaders"][*name] = json!([value]);
    }
    event
}

fn method_arn(method: &str, path: &str) -> String {
    format!("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/{method}{path}")
}

/// The `sub` claim of a JWT, read without verifying (the binary verifies).
fn subject(token: &str) -> String {
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sub"].as_str().expect("a sub").to_owned()
}

struct Authorizer {
    api: RuntimeApi,
    _child: Child,
}

impl Authorizer {
    fn spawn(api: &RuntimeApi, env: &[(&str, &str)]) -> Child {
        Command::new(env!("CARGO_BIN_EXE_authorizer"))
            .env_clear()
            .envs(api.function_env("expedite-authorizer"))
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the authorizer binary starts")
    }

    async fn invoke(&self, event: Value) -> InvocationResult {
        self.api
            .invoke(event, Duration::from_secs(30))
            .await
            .expect("the authorizer answered in time")
    }
}

fn assert_allows(result: &InvocationResult, principal: &str, arn: &str) {
    let response = result.as_ref().expect("allowed");
    assert_eq!(response["principalId"], principal, "{response}");
    assert_eq!(
        response["policyDocument"]["Statement"],
        json!([{"Action": ["execute-api:Invoke"], "Effect": "Allow", "Resource": [arn]}]),
        "{response}"
    );
}

#[tokio::test]
async fn cognito_tokens_in_a_cookie_or_a_bearer_header_are_allowed_and_nothing_else() {
    let endpoint = std::env::var("EXPEDITE_TEST_MOTO_URL").expect(
        "EXPEDITE_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts moto",
    );
    let aws = provision::emulator_config(&endpoint).await;
    let (pool, client_id) = provision::create_user_pool(&aws).await.unwrap();
    provision::add_user(
        &aws,
        &pool,
        EMAIL,
        PASSWORD,
        PasswordKind::Permanent,
        &["admins"],
    )
    .await
    .unwrap();
    let tokens = CognitoIdp::new(&aws, client_id.clone())
        .sign_in(EMAIL, PASSWORD)
        .await
        .expect("moto signs the user in");
    let sub = subject(&tokens.access_token);
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}");
    let jwks_url = format!("{endpoint}/{pool}/.well-known/jwks.json");

    let api = RuntimeApi::start().await.expect("runtime api");
    let started = Instant::now();
    let child = Authorizer::spawn(
        &api,
        &[
            ("EXPEDITE_IDENTITY", "cognito"),
            ("EXPEDITE_COGNITO_ISSUER", &issuer),
            ("EXPEDITE_COGNITO_JWKS_URL", &jwks_url),
            ("EXPEDITE_CLIENT_ID", &client_id),
        ],
    );
    let authorizer = Authorizer { api, _child: child };

    // The Ask page's poll: the HttpOnly session cookie and nothing else.
    let path = "/api/ai/query/0192f0c4-1c2b-7def-8a9b-0123456789ab";
    let cookie = format!("theme=dark; expedite_access={}", tokens.access_token);
    let polled = authorizer
        .invoke(authorizer_event("GET", path, &[("Cookie", &cookie)]))
        .await;
    eprintln!(
        "authorizer: process start to first event answered in {} ms (token verified, JWKS fetched)",
        started.elapsed().as_millis()
    );
    assert_allows(&polled, &sub, &method_arn("GET", path));
    let context = &polled.as_ref().unwrap()["context"];
    assert_eq!(context["sub"], sub.as_str());
    assert_eq!(context["groups"], "admins");
    assert!(context["username"].is_string(), "{context}");

    // An API client's Bearer header.
    let bearer = format!("Bearer {}", tokens.access_token);
    let listed = authorizer
        .invoke(authorizer_event(
            "POST",
            "/api/ai/query",
            &[("authorization", &bearer)],
        ))
        .await;
    assert_allows(&listed, &sub, &method_arn("POST", "/api/ai/query"));

    // No credential, and Cognito's id token: the error API Gateway turns into 401.
    for headers in [
        vec![],
        vec![("Authorization", format!("Bearer {}", tokens.id_token))],
        vec![("Cookie", format!("expedite_access={}", tokens.id_token))],
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = authorizer
            .invoke(authorizer_event("GET", "/api/customers", &headers))
            .await;
        let error = refused.expect_err("refused");
        assert_eq!(error["errorMessage"], "Unauthorized", "{error}");
        assert_eq!(error["errorType"], "Unauthorized", "{error}");
    }

    // The OpenAPI document needs no credential.
    let document = authorizer
        .invoke(authorizer_event("GET", "/api/openapi.json", &[]))
        .await;
    assert_allows(
        &document,
        "anonymous",
        &method_arn("GET", "/api/openapi.json"),
    );
    assert!(authorizer.api.init_errors().is_empty());
}

#[tokio::test]
async fn without_cognito_settings_the_authorizer_refuses_to_start() {
    let api = RuntimeApi::start().await.expect("runtime api");
    for env in [
        vec![],
        vec![
            ("EXPEDITE_IDENTITY", "cognito"),
            (
                "EXPEDITE_COGNITO_ISSUER",
                "https://cognito-idp.us-east-1.amazonaws.com/p",
            ),
        ],
    ] {
        let child = Authorizer::spawn(&api, &env);
        let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
            .await
            .expect("the authorizer exits")
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = if env.is_empty() {
            "EXPEDITE_IDENTITY=cognito"
        } else {
            "EXPEDITE_CLIENT_ID"
        };
        assert!(stderr.contains(expected), "{stderr}");
    }
}
