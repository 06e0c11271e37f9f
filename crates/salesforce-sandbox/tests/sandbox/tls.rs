//! HTTPS with the generated certificate.

use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Certificate, Client, StatusCode};

#[tokio::test]
async fn serves_https_to_clients_that_trust_its_certificate() {
    let sandbox = Sandbox::start(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
    let pem = sandbox
        .tls_certificate_pem()
        .expect("a certificate in TLS mode");
    let trusting = Client::builder()
        .add_root_certificate(Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let config = sandbox.config();
    let token = trusting
        .post(format!("{}/services/oauth2/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    let body: serde_json::Value = token.json().await.unwrap();
    assert_eq!(body["instance_url"], sandbox.base_url());

    let strict = Client::new();
    assert!(
        strict
            .get(format!("{}/services/data/", sandbox.base_url()))
            .send()
            .await
            .is_err()
    );
    assert!(
        Sandbox::start(SandboxConfig::default())
            .await
            .unwrap()
            .tls_certificate_pem()
            .is_none()
    );
}
