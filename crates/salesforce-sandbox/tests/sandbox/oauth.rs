//! Signing in: the three OAuth flows, their refusals, and the SOAP login.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{JWT_PRIVATE_KEY, OTHER_PRIVATE_KEY, TestSandbox, reply, start};

fn now_s() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn assertion(app: &TestSandbox, key: &str, claims: serde_json::Value) -> String {
    let mut full = json!({
        "iss": app.sandbox.config().client_id,
        "sub": app.sandbox.config().username,
        "aud": "https://login.salesforce.com",
        "exp": now_s() + 180,
    });
    full.as_object_mut()
        .unwrap()
        .extend(claims.as_object().unwrap().clone());
    let key = EncodingKey::from_rsa_pem(key.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &full, &key).unwrap()
}

async fn jwt(app: &TestSandbox, token: &str) -> crate::support::Reply {
    app.token(&[
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", token),
    ])
    .await
}

#[tokio::test]
async fn client_credentials_answers_the_documented_body_and_the_token_works() {
    let app = start().await;
    let config = app.sandbox.config().clone();
    let ok = app
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
        ])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let body = ok.body.as_object().unwrap();
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "id",
            "instance_url",
            "issued_at",
            "signature",
            "token_type"
        ]
    );
    assert_eq!(body["instance_url"], app.sandbox.base_url());
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["issued_at"]
            .as_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit())
    );
    assert_eq!(
        STANDARD
            .decode(body["signature"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );

    // HTTP Basic works too, and the token opens the API.
    let url = format!("{}/services/oauth2/token", app.sandbox.base_url());
    let basic = app
        .http
        .post(url)
        .basic_auth(&config.client_id, Some(&config.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let basic = reply(basic).await;
    assert_eq!(basic.status, StatusCode::OK, "{}", basic.body);
    let query = app
        .http
        .get(app.api("query"))
        .query(&[("q", "SELECT Id FROM Account")])
        .bearer_auth(basic.body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_credentials_and_grants_get_oauth_errors() {
    let app = start().await;
    let config = app.sandbox.config().clone();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &config.client_id),
                ("client_secret", "wrong"),
            ],
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", &config.client_secret),
            ],
            "invalid_client_id",
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", &config.client_id),
                ("client_secret", &config.client_secret),
                ("username", &config.username),
                ("password", "wrong"),
            ],
            "invalid_grant",
        ),
        (
            &[("grant_type", "authorization_code")],
            "unsupported_grant_type",
        ),
        (&[("client_id", "x")], "unsupported_grant_type"),
        (
            &[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")],
            "invalid_request",
        ),
    ];
    for (form, error) in cases {
        let reply = app.token(form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{form:?}");
        assert_eq!(reply.body["error"], error, "{form:?}: {}", reply.body);
        assert!(reply.body["error_description"].is_string());
    }
    let password = app
        .token(&[
            ("grant_type", "password"),
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
            ("username", &config.username),
            ("password", &config.password),
        ])
        .await;
    assert_eq!(password.status, StatusCode::OK, "{}", password.body);
}

#[tokio::test]
async fn jwt_bearer_checks_signature_issuer_audience_and_expiry() {
    let app = start().await;
    let good = assertion(&app, JWT_PRIVATE_KEY, json!({}));
    let ok = jwt(&app, &good).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["instance_url"], app.sandbox.base_url());

    // simple-salesforce sends `exp` as a string, and the sandbox's own URL is an audience too.
    let string_exp = assertion(
        &app,
        JWT_PRIVATE_KEY,
        json!({"exp": (now_s() + 120).to_string(), "aud": app.sandbox.base_url()}),
    );
    assert_eq!(jwt(&app, &string_exp).await.status, StatusCode::OK);

    let refused = [
        (
            assertion(&app, JWT_PRIVATE_KEY, json!({"exp": now_s() - 10})),
            "invalid_grant",
        ),
        (
            assertion(&app, JWT_PRIVATE_KEY, json!({"exp": now_s() + 3600})),
            "invalid_grant",
        ),
        (
            assertion(&app, OTHER_PRIVATE_KEY, json!({})),
            "invalid_grant",
        ),
        (
            assertion(&app, JWT_PRIVATE_KEY, json!({"iss": "someone-else"})),
            "invalid_client_id",
        ),
        (
            assertion(&app, JWT_PRIVATE_KEY, json!({"sub": "other@example.com"})),
            "invalid_grant",
        ),
        (
            assertion(
                &app,
                JWT_PRIVATE_KEY,
                json!({"aud": "https://evil.example"}),
            ),
            "invalid_grant",
        ),
        ("not.a.jwt".to_owned(), "invalid_grant"),
    ];
    for (token, error) in refused {
        let reply = jwt(&app, &token).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.body["error"], error, "{}", reply.body);
    }
}

#[tokio::test]
async fn soap_login_returns_a_session_for_the_rest_api() {
    let app = start().await;
    let config = app.sandbox.config().clone();
    let envelope = |user: &str, password: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8" ?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Body><urn:login><urn:username>{user}</urn:username><urn:password>{password}</urn:password></urn:login></soapenv:Body></soapenv:Envelope>"#
        )
    };
    let url = format!("{}/services/Soap/u/60.0", app.sandbox.base_url());
    let post = |body: String| {
        app.http
            .post(&url)
            .header("SOAPAction", "login")
            .header("content-type", "text/xml")
            .body(body)
            .send()
    };

    let failed = post(envelope(&config.username, "wrong")).await.unwrap();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        failed
            .text()
            .await
            .unwrap()
            .contains("<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>")
    );

    let ok = post(envelope(&config.username, &config.password))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let xml = ok.text().await.unwrap();
    let session = xml
        .split("<sessionId>")
        .nth(1)
        .and_then(|s| s.split("</sessionId>").next())
        .unwrap();
    assert!(xml.contains(&format!(
        "<serverUrl>{}/services/Soap/u/60.0/",
        app.sandbox.base_url()
    )));
    let query = app
        .http
        .get(app.api("query"))
        .query(&[("q", "SELECT Id FROM Account")])
        .bearer_auth(session)
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), StatusCode::OK);
}
