//! The REST client on its own: each OAuth flow, TLS, errors, paging and usage tracking.

use expedite_salesforce::{
    AccountRow, AuthFlow, SalesforceClient, SalesforceError, Secret, window_soql,
};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use rsa::{
    Generate, PrivateKey,
    pkcs1::EncodeRsaPrivateKey,
    pkcs8::{EncodePublicKey, LineEnding},
};

use crate::support::{T0, client_config};

async fn sandbox(config: SandboxConfig) -> Sandbox {
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    sandbox.set_now(T0);
    sandbox.seed_accounts(450, 3);
    sandbox
}

/// Reads every page of every account, deleted ones included.
async fn read_all(client: &SalesforceClient) -> Vec<AccountRow> {
    let mut cursor = client.cursor(window_soql(None, T0, None), true, Some(200));
    let mut rows = Vec::new();
    while let Some(page) = cursor.next_page::<AccountRow>().await.expect("page") {
        assert!(page.len() <= 200);
        rows.extend(page);
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwt_bearer_flow_signs_in_with_an_rs256_assertion() {
    let key = PrivateKey::generate();
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("public pem");
    let sandbox = sandbox(SandboxConfig {
        jwt_public_key_pem: Some(public),
        ..SandboxConfig::default()
    })
    .await;
    let mut config = client_config(&sandbox);
    config.auth = AuthFlow::JwtBearer {
        client_id: sandbox.config().client_id.clone(),
        username: sandbox.config().username.clone(),
        private_key_pem: Secret::new(key.to_pkcs1_pem(LineEnding::LF).expect("pem").as_str()),
    };
    let client = SalesforceClient::new(config).unwrap();
    assert_eq!(read_all(&client).await.len(), 450);

    // A key the org does not know is refused as an OAuth error.
    let mut config = client_config(&sandbox);
    config.auth = AuthFlow::JwtBearer {
        client_id: sandbox.config().client_id.clone(),
        username: sandbox.config().username.clone(),
        private_key_pem: Secret::new(
            PrivateKey::generate()
                .to_pkcs1_pem(LineEnding::LF)
                .expect("pem")
                .as_str(),
        ),
    };
    let error = SalesforceClient::new(config)
        .unwrap()
        .authenticate()
        .await
        .unwrap_err();
    assert!(matches!(error, SalesforceError::Auth { .. }), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_flow_signs_in_over_tls() {
    let sandbox = sandbox(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await;
    assert!(sandbox.base_url().starts_with("https://"));
    let mut config = client_config(&sandbox);
    config.auth = AuthFlow::Password {
        client_id: sandbox.config().client_id.clone(),
        client_secret: Secret::new(sandbox.config().client_secret.clone()),
        username: sandbox.config().username.clone(),
        password: Secret::new(sandbox.config().password.clone()),
    };
    let client = SalesforceClient::new(config.clone()).unwrap();
    assert_eq!(read_all(&client).await.len(), 450);

    config.auth = AuthFlow::Password {
        client_id: sandbox.config().client_id.clone(),
        client_secret: Secret::new(sandbox.config().client_secret.clone()),
        username: sandbox.config().username.clone(),
        password: Secret::new("wrong"),
    };
    let error = SalesforceClient::new(config)
        .unwrap()
        .authenticate()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SalesforceError::Auth { error, .. } if error == "invalid_grant"),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_is_tracked_and_errors_are_typed() {
    let sandbox = sandbox(SandboxConfig::default()).await;
    sandbox.set_api_usage(100, 5_000);
    let client = SalesforceClient::new(client_config(&sandbox)).unwrap();
    assert_eq!(client.api_usage(), None);

    let page = client
        .query::<AccountRow>("SELECT Id, Name, SystemModstamp FROM Account")
        .await
        .unwrap();
    assert!(!page.records.is_empty());
    let usage = client.api_usage().expect("usage reported");
    assert_eq!(usage.limit, 5_000);
    assert!(usage.used > 100);

    let error = client
        .query::<AccountRow>("SELECT Nope FROM Account")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SalesforceError::InvalidField(_)),
        "{error:?}"
    );
    let error = client
        .query::<AccountRow>("SELEKT Id FROM Account")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SalesforceError::MalformedQuery(_)),
        "{error:?}"
    );
    assert!(!error.is_retryable());

    sandbox.set_api_usage(5_000, 5_000);
    let error = client
        .query::<AccountRow>("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SalesforceError::RequestLimitExceeded(_)),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_renewed_once_and_the_call_repeated() {
    let sandbox = sandbox(SandboxConfig::default()).await;
    let client = SalesforceClient::new(client_config(&sandbox)).unwrap();
    client.authenticate().await.unwrap();
    sandbox.expire_sessions();
    let page = client
        .query::<AccountRow>("SELECT Id, SystemModstamp FROM Account")
        .await
        .unwrap();
    assert_eq!(page.total_size, 450);
}
