//! Decisions over events shaped as API Gateway sends them, with tokens signed by a test key.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use expedite_identity::{JwksSource, SigningKey, StaticJwks, VerifierSettings};
use serde_json::{Value, json};

use super::*;

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Authorizer";
const CLIENT: &str = "authorizer-client";
const SUB: &str = "5f0c8a1e-9d2b-4c3a-8e7f-1a2b3c4d5e6f";
const METHOD_ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/api/me";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

struct Fixture {
    key: SigningKey,
    verifier: Verifier,
}

impl Fixture {
    fn new() -> Self {
        let key = SigningKey::generate();
        let jwks = Arc::new(StaticJwks::new(json!({"keys": [key.jwk()]})));
        Self {
            verifier: verifier(jwks),
            key,
        }
    }

    /// A token as Cognito issues it; `change` edits the claims first.
    fn token(&self, change: impl FnOnce(&mut Value)) -> String {
        let mut claims = json!({
            "iss": ISSUER, "sub": SUB, "client_id": CLIENT, "token_use": "access",
            "username": "ops@example.com", "cognito:groups": ["admins", "analysts"],
            "exp": now() + 3600, "iat": now(), "auth_time": now(), "jti": "j-1",
        });
        change(&mut claims);
        self.key
            .sign_json(&json!({"alg": "RS256", "kid": self.key.kid()}), &claims)
    }

    fn access(&self) -> String {
        self.token(|_| {})
    }

    async fn decide(&self, event: &AuthorizerEvent) -> Result<AuthorizerResponse, Refused> {
        authorize(&self.verifier, event).await
    }
}

fn verifier(jwks: Arc<dyn JwksSource>) -> Verifier {
    Verifier::new(
        VerifierSettings {
            issuer: ISSUER.into(),
            client_id: CLIENT.into(),
            leeway: Duration::from_secs(60),
            min_refresh_interval: Duration::ZERO,
        },
        jwks,
    )
}

/// A REQUEST authorizer event for `method path` with `headers` (each in both maps, as API
/// Gateway fills them).
fn event(method: &str, path: &str, headers: &[(&str, &str)]) -> AuthorizerEvent {
    let mut single = serde_json::Map::new();
    let mut multi = serde_json::Map::new();
    for (name, value) in headers {
        single.insert((*name).to_owned(), json!(value));
        multi
            .entry((*name).to_owned())
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("an array")
            .push(json!(value));
    }
    serde_json::from_value(json!({
        "type": "REQUEST",
        "methodArn": format!("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/{method}{path}"),
        "resource": "/api/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": {"proxy": path.trim_start_matches("/api/")},
        "stageVariables": null,
        "requestContext": {
            "path": format!("/prod{path}"), "accountId": "123456789012", "resourceId": "r1",
            "stage": "prod", "requestId": "req-1", "resourcePath": "/api/{proxy+}",
            "httpMethod": method, "apiId": "abc123",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "test"}
        }
    }))
    .expect("an API Gateway REQUEST authorizer event")
}

fn assert_allowed(response: &AuthorizerResponse, principal: &str, method_arn: &str) {
    assert_eq!(response.principal_id.as_deref(), Some(principal));
    let policy = serde_json::to_value(&response.policy_document).unwrap();
    assert_eq!(
        policy,
        json!({"Version": "2012-10-17", "Statement": [
            {"Action": ["execute-api:Invoke"], "Effect": "Allow", "Resource": [method_arn]}
        ]})
    );
}

#[tokio::test]
async fn a_bearer_access_token_is_allowed_for_its_subject() {
    let fixture = Fixture::new();
    let bearer = format!("Bearer {}", fixture.access());
    let event = event("GET", "/api/me", &[("Authorization", &bearer)]);

    let response = fixture.decide(&event).await.expect("allowed");

    assert_allowed(&response, SUB, METHOD_ARN);
    assert_eq!(
        response.context,
        json!({"sub": SUB, "username": "ops@example.com", "groups": "admins,analysts"})
    );
}

#[tokio::test]
async fn the_session_cookie_alone_is_allowed() {
    let fixture = Fixture::new();
    let cookie = format!("theme=dark; expedite_access={}", fixture.access());
    let event = event("GET", "/api/me", &[("Cookie", &cookie)]);

    let response = fixture.decide(&event).await.expect("allowed");

    assert_allowed(&response, SUB, METHOD_ARN);
}

#[tokio::test]
async fn header_names_are_matched_whatever_their_case() {
    let fixture = Fixture::new();
    let bearer = format!("Bearer {}", fixture.access());
    let cookie = format!("expedite_access={}", fixture.access());
    for headers in [
        [("authorization", bearer.as_str())],
        [("AUTHORIZATION", bearer.as_str())],
        [("cookie", cookie.as_str())],
        [("COOKIE", cookie.as_str())],
    ] {
        let event = event("GET", "/api/me", &headers);
        let response = fixture.decide(&event).await;
        assert!(response.is_ok(), "{headers:?}: {response:?}");
    }
}

#[tokio::test]
async fn cookies_split_over_several_headers_are_all_read() {
    let fixture = Fixture::new();
    let access = format!("expedite_access={}", fixture.access());
    // API Gateway keeps only the last value in `headers`, every value in `multiValueHeaders`.
    let event = event(
        "GET",
        "/api/me",
        &[("Cookie", &access), ("Cookie", "theme=dark")],
    );
    assert_eq!(event.headers.get_all("cookie").iter().count(), 1);

    assert!(matches!(credential(&event), Credential::Cookie(_)));
    assert!(fixture.decide(&event).await.is_ok());
}

#[tokio::test]
async fn no_credential_is_unauthorized() {
    let fixture = Fixture::new();
    let none = event("GET", "/api/me", &[("Accept", "application/json")]);
    let other_cookies = event(
        "GET",
        "/api/me",
        &[("Cookie", "theme=dark; expedite_access=")],
    );
    for event in [none, other_cookies] {
        assert_eq!(credential(&event), Credential::Missing);
        assert_eq!(fixture.decide(&event).await, Err(Refused::Unauthorized));
    }
}

#[tokio::test]
async fn bad_expired_and_id_tokens_are_unauthorized() {
    let fixture = Fixture::new();
    let stranger = SigningKey::generate();
    let cases = [
        ("garbage", "Bearer not.a.token".to_owned()),
        ("wrong scheme", format!("Basic {}", fixture.access())),
        ("empty", "Bearer ".to_owned()),
        (
            "expired",
            format!(
                "Bearer {}",
                fixture.token(|c| c["exp"] = json!(now() - 3600))
            ),
        ),
        (
            "id token",
            format!(
                "Bearer {}",
                fixture.token(|c| {
                    c["token_use"] = json!("id");
                    c["aud"] = json!(CLIENT);
                })
            ),
        ),
        (
            "other client",
            format!("Bearer {}", fixture.token(|c| c["client_id"] = json!("x"))),
        ),
        (
            "unknown key",
            format!(
                "Bearer {}",
                stranger.sign_json(
                    &json!({"alg": "RS256", "kid": stranger.kid()}),
                    &json!({"iss": ISSUER, "sub": SUB, "client_id": CLIENT, "token_use": "access",
                            "exp": now() + 3600, "iat": now(), "auth_time": now(), "jti": "j"}),
                )
            ),
        ),
    ];
    for (case, authorization) in cases {
        let event = event("GET", "/api/me", &[("Authorization", &authorization)]);
        assert_eq!(
            fixture.decide(&event).await,
            Err(Refused::Unauthorized),
            "{case}"
        );
    }
    // The same tokens in the cookie are refused as well.
    let expired = fixture.token(|c| c["exp"] = json!(now() - 3600));
    let event = event(
        "GET",
        "/api/me",
        &[("Cookie", &format!("expedite_access={expired}"))],
    );
    assert_eq!(fixture.decide(&event).await, Err(Refused::Unauthorized));
}

#[tokio::test]
async fn a_bad_bearer_header_is_not_rescued_by_a_good_cookie() {
    let fixture = Fixture::new();
    let cookie = format!("expedite_access={}", fixture.access());
    let event = event(
        "GET",
        "/api/me",
        &[("Authorization", "Bearer nope"), ("Cookie", &cookie)],
    );
    assert_eq!(fixture.decide(&event).await, Err(Refused::Unauthorized));
}

#[tokio::test]
async fn the_openapi_document_is_public_and_nothing_else_is() {
    let fixture = Fixture::new();
    let document = event("GET", PUBLIC_PATH, &[]);

    let response = fixture.decide(&document).await.expect("public");

    let arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/api/openapi.json";
    assert_allowed(&response, ANONYMOUS, arn);
    for (method, path) in [
        ("POST", PUBLIC_PATH),
        ("GET", "/api/openapi.json/"),
        ("GET", "/api/openapi.jsonx"),
        ("GET", "/api/customers"),
    ] {
        let event = event(method, path, &[]);
        assert_eq!(
            fixture.decide(&event).await,
            Err(Refused::Unauthorized),
            "{method} {path}"
        );
    }
}

/// A JWKS endpoint that is down.
struct Down;

#[async_trait]
impl JwksSource for Down {
    async fn fetch(&self) -> Result<Value, String> {
        Err("connection refused".into())
    }
}

#[tokio::test]
async fn unavailable_issuer_keys_are_not_blamed_on_the_caller() {
    let fixture = Fixture::new();
    let down = verifier(Arc::new(Down));
    let bearer = format!("Bearer {}", fixture.access());
    let event = event("GET", "/api/me", &[("Authorization", &bearer)]);

    assert_eq!(
        authorize(&down, &event).await,
        Err(Refused::KeysUnavailable)
    );
}
