//! The real `server` binary in Lambda mode, fed API Gateway REST events through a local
//! Lambda Runtime API: the same router answers as in the local deployment.

use std::{process::Stdio, time::Duration};

use expedite_test_support::lambda_runtime_api::RuntimeApi;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// An API Gateway REST (v1) proxy event as the `prod` stage of a REST API sends it.
pub(crate) fn rest_event(method: &str, path: &str) -> Value {
    json!({
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {
            "Host": "abc123.execute-api.us-east-1.amazonaws.com",
            "Accept": "*/*",
            "Content-Type": "application/x-www-form-urlencoded"
        },
        "multiValueHeaders": {
            "Host": ["abc123.execute-api.us-east-1.amazonaws.com"],
            "Accept": ["*/*"],
            "Content-Type": ["application/x-www-form-urlencoded"]
        },
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

/// The built-in provider's account for the Lambda tests without Cognito.
pub(crate) const LOCAL_USER: (&str, &str) = ("lambda@example.com", "a long lambda password");

/// Adds [`LOCAL_USER`] with the `server users add` command, as an operator would.
fn add_local_user(data: &std::path::Path) {
    use std::io::Write;
    let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("EXPEDITE_DATA_DIR", data)
        .args(["users", "add", "--email", LOCAL_USER.0])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the users command starts");
    let mut stdin = add.stdin.take().unwrap();
    writeln!(stdin, "{}", LOCAL_USER.1).unwrap();
    drop(stdin);
    assert!(add.wait().unwrap().success(), "the account is added");
}

pub(crate) struct LambdaServer {
    api: RuntimeApi,
    _child: Child,
    _data: tempfile::TempDir,
}

impl LambdaServer {
    pub(crate) async fn start() -> Self {
        Self::start_with(Vec::new()).await
    }

    async fn start_with(extra_env: Vec<(String, String)>) -> Self {
        let api = RuntimeApi::start().await.expect("runtime api");
        let data = tempfile::tempdir().unwrap();
        if !extra_env
            .iter()
            .any(|(name, _)| name == "EXPEDITE_IDENTITY")
        {
            add_local_user(data.path());
        }
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env_clear()
            .envs(api.function_env("expedite-server"))
            .envs(extra_env)
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

    /// The dashboard's server function, called with `bearer` as an API client would.
    async fn status(&self, bearer: &str) -> Value {
        let refused = self.call("POST", "/sfn/system_status").await;
        assert_eq!(
            refused["statusCode"], 401,
            "signed-in callers only: {refused}"
        );
        let response = self
            .call_json(
                "POST",
                "/sfn/system_status",
                &[("Authorization", bearer)],
                None,
            )
            .await;
        assert_eq!(response["statusCode"], 200, "{response}");
        serde_json::from_str(response["body"].as_str().unwrap()).unwrap()
    }

    /// Signs in through `/auth/sign-in`; the `Authorization` value for the access token.
    pub(crate) async fn bearer(&self, email: &str, password: &str) -> String {
        let credentials = json!({"email": email, "password": password});
        let signed_in = self
            .call_json("POST", "/auth/sign-in", &[], Some(credentials))
            .await;
        assert_eq!(signed_in["statusCode"], 200, "{signed_in}");
        let tokens: Value = serde_json::from_str(signed_in["body"].as_str().unwrap()).unwrap();
        format!("Bearer {}", tokens["access_token"].as_str().unwrap())
    }

    pub(crate) async fn call(&self, method: &str, path: &str) -> Value {
        self.invoke(rest_event(method, path)).await
    }

    /// A JSON request with extra headers, as API Gateway passes it on.
    pub(crate) async fn call_json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Value {
        let mut event = rest_event(method, path);
        for (name, value) in headers {
            event["headers"][*name] = json!(value);
            event["multiValueHeaders"][*name] = json!([value]);
        }
        event["headers"]["Content-Type"] = json!("application/json");
        event["multiValueHeaders"]["Content-Type"] = json!(["application/json"]);
        event["body"] = body.map_or(Value::Null, |b| json!(b.to_string()));
        self.invoke(event).await
    }

    async fn invoke(&self, event: Value) -> Value {
        self.api
            .invoke(event, Duration::from_secs(30))
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

    let page = server.call("GET", "/sign-in").await;
    assert_eq!(page["statusCode"], 200);
    assert!(page["body"].as_str().unwrap().contains("Sign in"));

    let bearer = server.bearer(LOCAL_USER.0, LOCAL_USER.1).await;
    let status = server.status(&bearer).await;
    assert_eq!(
        status["deployment"], "lambda",
        "the server function knows where it runs"
    );
    assert!(server.api.init_errors().is_empty());
}

/// The AWS deployment's backends: DynamoDB tables and SQS queues (in moto) created from
/// `infra/template.yaml`, and a Cognito user pool, chosen by environment variables as the
/// template sets them.
#[tokio::test]
async fn lambda_on_dynamodb_and_sqs_is_ready() {
    let endpoint = std::env::var("EXPEDITE_TEST_MOTO_URL").expect(
        "EXPEDITE_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts moto",
    );
    let aws = expedite_aws::provision::emulator_config(&endpoint).await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let template = include_str!("../../../infra/template.yaml");
    let tables = expedite_aws::provision::create_tables(&aws, template, &suffix)
        .await
        .unwrap();
    let (queue_url, dead_letter_url) = expedite_aws::provision::create_queues(&aws, &suffix, 5)
        .await
        .unwrap();
    let cognito = expedite_aws::provision::create_user_pool(&aws)
        .await
        .unwrap();
    expedite_aws::provision::add_user(
        &aws,
        &cognito.0,
        "ops@example.com",
        "Ops-Passw0rd-123!",
        expedite_aws::provision::PasswordKind::Permanent,
        &["admins"],
    )
    .await
    .unwrap();
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{}", cognito.0);
    let jwks_url = format!("{endpoint}/{}/.well-known/jwks.json", cognito.0);
    let env = [
        ("EXPEDITE_STORE", "dynamodb"),
        ("EXPEDITE_DYNAMODB_QUERIES_TABLE", tables.queries.as_str()),
        (
            "EXPEDITE_DYNAMODB_CUSTOMERS_TABLE",
            tables.customers.as_str(),
        ),
        ("EXPEDITE_DYNAMODB_SYNC_TABLE", tables.sync.as_str()),
        ("EXPEDITE_QUEUE", "sqs"),
        ("EXPEDITE_SQS_QUEUE_URL", queue_url.as_str()),
        (
            "EXPEDITE_SQS_DEAD_LETTER_QUEUE_URL",
            dead_letter_url.as_str(),
        ),
        ("EXPEDITE_IDENTITY", "cognito"),
        ("EXPEDITE_COGNITO_ISSUER", issuer.as_str()),
        ("EXPEDITE_COGNITO_JWKS_URL", jwks_url.as_str()),
        ("EXPEDITE_CLIENT_ID", cognito.1.as_str()),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .to_vec();
    let server = LambdaServer::start_with(env).await;

    let ready = server.call("GET", "/readyz").await;
    assert_eq!(ready["statusCode"], 200, "{ready}");
    // Signing in goes to Cognito; the token it returns is verified against Cognito's JWKS.
    let bearer = server.bearer("ops@example.com", "Ops-Passw0rd-123!").await;
    let status = server.status(&bearer).await;
    let backends = status["backends"].to_string();
    assert!(
        backends.contains("DynamoDB") && backends.contains("SQS"),
        "{backends}"
    );
    let me = server
        .call_json("GET", "/api/me", &[("Authorization", &bearer)], None)
        .await;
    assert_eq!(me["statusCode"], 200, "{me}");
    let me: Value = serde_json::from_str(me["body"].as_str().unwrap()).unwrap();
    assert_eq!(me["role"], "admin");
    // A temporary password: the REST flow answers the challenge…
    expedite_aws::provision::add_user(
        &aws,
        &cognito.0,
        "new@example.com",
        "Temp-Passw0rd-123!",
        expedite_aws::provision::PasswordKind::Temporary,
        &[],
    )
    .await
    .unwrap();
    let temporary = json!({"email": "new@example.com", "password": "Temp-Passw0rd-123!"});
    let step = server
        .call_json("POST", "/auth/sign-in", &[], Some(temporary))
        .await;
    assert_eq!(step["statusCode"], 200, "{step}");
    let step: Value = serde_json::from_str(step["body"].as_str().unwrap()).unwrap();
    assert_eq!(step["challenge_name"], "NEW_PASSWORD_REQUIRED");
    let answer = json!({"email": "new@example.com", "new_password": "Chosen-Passw0rd-456!", "session": step["session"]});
    let done = server
        .call_json("POST", "/auth/new-password", &[], Some(answer))
        .await;
    assert_eq!(done["statusCode"], 200, "{done}");
    // …and so do the sign-in page's server functions.
    let form = |body: String| {
        let mut event = rest_event("POST", "/sfn/sign_in");
        event["body"] = json!(body);
        event
    };
    expedite_aws::provision::add_user(
        &aws,
        &cognito.0,
        "page@example.com",
        "Temp-Passw0rd-789!",
        expedite_aws::provision::PasswordKind::Temporary,
        &[],
    )
    .await
    .unwrap();
    let step = server
        .invoke(form(
            "email=page%40example.com&password=Temp-Passw0rd-789%21&next=".into(),
        ))
        .await;
    assert_eq!(step["statusCode"], 200, "{step}");
    let step: Value = serde_json::from_str(step["body"].as_str().unwrap()).unwrap();
    let challenge = step["NewPasswordRequired"]["session"]
        .as_str()
        .expect("a challenge")
        .to_owned();
    let mut event = rest_event("POST", "/sfn/complete_new_password");
    event["body"] = json!(format!(
        "email=page%40example.com&new_password=Chosen-Passw0rd-789%21&session={}&next=",
        challenge
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    ));
    let finished = server.invoke(event).await;
    assert_eq!(finished["statusCode"], 200, "{finished}");
    let cookies = finished["multiValueHeaders"]["set-cookie"].to_string();
    assert!(cookies.contains("expedite_access="), "{finished}");

    let wrong = json!({"email": "ops@example.com", "password": "not-it"});
    let refused = server
        .call_json("POST", "/auth/sign-in", &[], Some(wrong))
        .await;
    assert_eq!(refused["statusCode"], 401);
}
