//! Certificates: an untrusted one fails at once and names the host; `EXPEDITE_CA_FILE` makes a
//! private authority trusted; a refused connection is still worth retrying.

use std::time::{Duration, Instant};

use expedite_core::{Config, jobs::JobError};
use expedite_domain::{SyncKind, SyncStatus};
use expedite_salesforce::{SalesforceClient, SalesforceError};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};

use crate::support::{FIRST, TestEnv, client_config};

fn tls() -> SandboxConfig {
    SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    }
}

/// A client for `sandbox` that trusts only the compiled-in roots, with slow retries, so that a
/// retried certificate failure would show in the time it takes.
fn untrusting(sandbox: &Sandbox) -> expedite_salesforce::SalesforceConfig {
    let mut config = client_config(sandbox);
    config.extra_root_certificate_pem = None;
    config.max_tries = 3;
    config.retry_backoff = Duration::from_secs(2);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_fails_at_once_and_names_the_host() {
    let sandbox = Sandbox::start(tls()).await.expect("sandbox");
    let client = SalesforceClient::new(untrusting(&sandbox)).unwrap();
    let started = Instant::now();
    let error = client.authenticate().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not retried: {:?}",
        started.elapsed()
    );
    let SalesforceError::Certificate { origin, detail } = &error else {
        panic!("a certificate error, got {error:?}");
    };
    assert_eq!(origin, &sandbox.base_url());
    assert!(detail.contains("UnknownIssuer"), "{detail}");
    assert!(!error.is_retryable());
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "the certificate of {} could not be verified: ",
            sandbox.base_url()
        )),
        "{text}"
    );
    assert!(text.contains("set EXPEDITE_CA_FILE"), "{text}");
    assert_eq!(sandbox.requests_received(), 0, "no request got through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_behind_an_untrusted_certificate_fails_on_its_first_delivery() {
    let mut env = TestEnv::with_sandbox(tls()).await;
    env.client = SalesforceClient::new(untrusting(&env.sandbox)).unwrap();
    let started = Instant::now();
    let (run, result) = env
        .run_with(&env.engine(), SyncKind::Scheduled, FIRST)
        .await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(result, Err(JobError::Permanent(_))), "{result:?}");
    assert_eq!(run.status, SyncStatus::Failed);
    let issue = run.issues.last().expect("the cause is recorded");
    assert_eq!(issue.code, "CERTIFICATE");
    assert!(issue.message.contains(&env.sandbox.base_url()), "{issue:?}");
    assert_eq!(env.watermark().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ca_file_setting_makes_a_private_authority_trusted() {
    let sandbox = Sandbox::start(tls()).await.expect("sandbox");
    sandbox.seed_accounts(20, 5);
    // A bundle of two: some other authority first, then the one that signed the sandbox.
    let other = Sandbox::start(tls()).await.expect("another sandbox");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corporate-ca.pem");
    let bundle = format!(
        "{}{}",
        other.tls_certificate_pem().unwrap(),
        sandbox.tls_certificate_pem().unwrap()
    );
    std::fs::write(&path, bundle).unwrap();
    let config = Config::from_vars([("EXPEDITE_CA_FILE", path.display().to_string())]).unwrap();
    let ca = config.ca_bundle.as_ref().expect("read at start-up");
    assert_eq!(ca.len(), 2);

    let mut salesforce = untrusting(&sandbox);
    salesforce.trust(ca);
    let client = SalesforceClient::new(salesforce).unwrap();
    let page = client
        .query::<serde_json::Value>("SELECT Id FROM Account")
        .await
        .expect("connects over TLS");
    assert_eq!(page.total_size, 20);

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    let error = Config::from_vars([("EXPEDITE_CA_FILE", empty.display().to_string())])
        .unwrap_err()
        .to_string();
    assert!(error.contains("EXPEDITE_CA_FILE"), "{error}");
    assert!(error.contains("holds no certificate"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_still_retried() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut config = client_config(&sandbox);
    config.login_url = format!("http://127.0.0.1:{port}");
    config.max_tries = 2;
    config.retry_backoff = Duration::from_millis(300);
    let started = Instant::now();
    let error = SalesforceClient::new(config)
        .unwrap()
        .authenticate()
        .await
        .unwrap_err();
    assert!(matches!(error, SalesforceError::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "tried twice"
    );
}
