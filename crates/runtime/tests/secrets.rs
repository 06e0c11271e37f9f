//! Secrets by reference through the composition root: Secrets Manager in moto holds the OpenAI
//! key and the Salesforce credentials; the OpenAI double and a Salesforce sandbox check them.
//!
//! `scripts/test` starts moto on 127.0.0.1 and passes its URL in `EXPEDITE_TEST_MOTO_URL`.

use expedite_aws::{SecretsManager, provision};
use expedite_core::{
    Config, Services, SyncError,
    ai::{DemoModel, LanguageModel, Message, ModelRequest},
    identity::Caller,
    jobs::{Attempt, Job, JobHandler},
};
use expedite_domain::{Role, SyncRun, SyncStatus, UserId};
use expedite_runtime::{Backends, secrets::Secrets};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use expedite_test_support::openai::{OpenAiDouble, Script};
use rsa::{
    Generate, PrivateKey,
    pkcs1::EncodeRsaPrivateKey,
    pkcs8::{EncodePublicKey, LineEnding},
};
use serde_json::json;

const ACCOUNTS: usize = 40;

async fn moto() -> aws_config::SdkConfig {
    let endpoint = std::env::var("EXPEDITE_TEST_MOTO_URL").expect(
        "EXPEDITE_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts moto",
    );
    provision::emulator_config(&endpoint).await
}

async fn secret(aws: &aws_config::SdkConfig, what: &str, value: &str) -> String {
    let name = format!("expedite/{what}-{}", uuid::Uuid::new_v4().simple());
    provision::create_secret(aws, &name, value)
        .await
        .expect("secret")
}

fn admin() -> Caller {
    Caller {
        user_id: UserId::parse("admin-1").unwrap(),
        username: "admin@example.com".into(),
        email: None,
        groups: vec!["admins".into()],
        role: Role::Admin,
    }
}

/// A local process's configuration in `dir`, plus `vars`.
fn config(dir: &tempfile::TempDir, vars: &[(&str, &str)]) -> Config {
    let data_dir = dir.path().display().to_string();
    let mut all = vec![
        ("EXPEDITE_ADDR", "127.0.0.1:0"),
        ("EXPEDITE_DATA_DIR", data_dir.as_str()),
        ("EXPEDITE_IN_PROCESS_WORKER", "false"),
        ("EXPEDITE_DEMO_SALESFORCE", "false"),
    ];
    all.extend_from_slice(vars);
    Config::from_vars(all).expect("a valid configuration")
}

/// A sandbox org with sample accounts stamped before the first sync's window ends.
async fn org(config: SandboxConfig) -> Sandbox {
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let before = sandbox.now().plus_millis(-(10 * 60 * 1000));
    sandbox.seed_accounts_before(ACCOUNTS, 7, before);
    sandbox
}

/// A manual sync, run as the worker runs its job: the run's final state.
async fn manual_sync(services: &Services) -> SyncRun {
    let run = services.request_sync(&admin()).await.expect("accepted");
    let job = Job::SalesforceSync {
        sync_id: run.id.to_string(),
        step: 0,
    };
    let first = Attempt {
        receive_count: 1,
        max_receives: 5,
        deadline: None,
    };
    services
        .handle(&job, first)
        .await
        .expect("the sync job runs");
    services
        .sync_run(&admin(), &run.id.to_string())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_turns_the_secrets_into_a_model_key_and_a_salesforce_client_secret() {
    let aws = moto().await;
    let double = OpenAiDouble::start(Script::new()).await;
    let sandbox = org(SandboxConfig::default()).await;
    let openai_arn = secret(&aws, "openai", "sk-from-secrets-manager\n").await;
    let salesforce_json = json!({"client_secret": sandbox.config().client_secret}).to_string();
    let salesforce_arn = secret(&aws, "salesforce", &salesforce_json).await;
    let dir = tempfile::tempdir().unwrap();
    let (base_url, login_url) = (double.base_url(), sandbox.base_url());
    let config = config(
        &dir,
        &[
            ("OPENAI_BASE_URL", &base_url),
            ("EXPEDITE_OPENAI_SECRET_ARN", &openai_arn),
            ("EXPEDITE_SALESFORCE_SECRET_ARN", &salesforce_arn),
            ("SALESFORCE_CLIENT_ID", &sandbox.config().client_id),
            ("SALESFORCE_LOGIN_URL", &login_url),
        ],
    );

    let secrets = Secrets::read_with(&config, &SecretsManager::new(&aws))
        .await
        .expect("the secrets are read");
    assert!(!format!("{secrets:?}").contains("sk-from"), "{secrets:?}");
    let ports = Backends::open(&config)
        .await
        .unwrap()
        .ports_with(&config, &secrets)
        .await
        .expect("the composition root accepts the secrets");
    let services = Services::new(config, ports);

    let status = services.system_status(&admin());
    assert!(!status.demo_answers);
    let answers = &status
        .backends
        .iter()
        .find(|(name, _)| name == "Answers")
        .unwrap()
        .1;
    assert!(answers.contains(&base_url), "{answers}");
    // The double answers 401 to a request without a Bearer key: this one carries the secret's.
    let request = ModelRequest {
        messages: vec![Message::User("Which customers are at risk?".into())],
        tools: Vec::new(),
        max_completion_tokens: 64,
    };
    services
        .model()
        .complete(&request)
        .await
        .expect("the model call is authorised with the key from Secrets Manager");
    // The client credentials flow signs in with the secret's client_secret.
    let run = manual_sync(&services).await;
    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert_eq!(run.pulled, ACCOUNTS as u32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_salesforce_private_key_from_the_secret_signs_the_jwt_bearer_flow() {
    let aws = moto().await;
    let key = PrivateKey::generate();
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let sandbox = org(SandboxConfig {
        jwt_public_key_pem: Some(public),
        ..SandboxConfig::default()
    })
    .await;
    let pem = key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string();
    let arn = secret(&aws, "salesforce", &json!({"private_key": pem}).to_string()).await;
    let dir = tempfile::tempdir().unwrap();
    let login_url = sandbox.base_url();
    let config = config(
        &dir,
        &[
            ("EXPEDITE_SALESFORCE_SECRET_ARN", &arn),
            ("SALESFORCE_CLIENT_ID", &sandbox.config().client_id),
            ("SALESFORCE_USERNAME", &sandbox.config().username),
            ("SALESFORCE_LOGIN_URL", &login_url),
        ],
    );

    let secrets = Secrets::read_with(&config, &SecretsManager::new(&aws))
        .await
        .unwrap();
    let ports = Backends::open(&config)
        .await
        .unwrap()
        .ports_with(&config, &secrets)
        .await
        .unwrap();
    let run = manual_sync(&Services::new(config, ports)).await;

    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert_eq!(run.pulled, ACCOUNTS as u32);
}

#[tokio::test]
async fn a_missing_or_malformed_secret_fails_start_up_naming_its_variable() {
    let aws = moto().await;
    let manager = SecretsManager::new(&aws);
    let dir = tempfile::tempdir().unwrap();
    let nowhere = "arn:aws:secretsmanager:us-east-1:123456789012:secret:expedite/none-AbCdEf";
    let not_json = secret(&aws, "salesforce", "hunter2-not-json").await;
    for (variable, arn) in [
        ("EXPEDITE_OPENAI_SECRET_ARN", nowhere),
        ("EXPEDITE_SALESFORCE_SECRET_ARN", nowhere),
        ("EXPEDITE_SALESFORCE_SECRET_ARN", not_json.as_str()),
    ] {
        let config = config(&dir, &[(variable, arn), ("SALESFORCE_CLIENT_ID", "cid")]);
        let error = Secrets::read_with(&config, &manager)
            .await
            .expect_err("start-up fails");
        let message = format!("{error:#}");
        assert!(
            message.contains(variable) && message.contains(arn),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[tokio::test]
async fn a_server_that_runs_no_jobs_reads_no_secret_yet_accepts_manual_syncs() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing answers at these ARNs: reading one would fail.
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:expedite/unread-AbCdEf";
    let configured = config(
        &dir,
        &[
            ("EXPEDITE_OPENAI_SECRET_ARN", arn),
            ("EXPEDITE_SALESFORCE_SECRET_ARN", arn),
            ("SALESFORCE_CLIENT_ID", "3MVG9.connected.app"),
        ],
    );
    let ports = Backends::open(&configured)
        .await
        .unwrap()
        .serving_ports(&configured)
        .unwrap();
    let services = Services::new(configured, ports);

    assert!(services.salesforce_configured());
    assert!(!services.system_status(&admin()).demo_answers);
    let run = services
        .request_sync(&admin())
        .await
        .expect("accepted for the worker");
    assert_eq!(run.status, SyncStatus::Queued);

    let unconfigured = config(&dir, &[]);
    let ports = Backends::open(&unconfigured)
        .await
        .unwrap()
        .serving_ports(&unconfigured)
        .unwrap();
    let services = Services::new(unconfigured, ports);
    assert!(matches!(
        services.request_sync(&admin()).await,
        Err(SyncError::NotConfigured)
    ));
}

#[tokio::test]
async fn secrets_the_stack_created_empty_leave_the_demo_responder_and_no_sync() {
    let aws = moto().await;
    let client = aws_sdk_secretsmanager::Client::new(&aws);
    let mut arns = Vec::new();
    for what in ["openai", "salesforce"] {
        let name = format!("expedite/empty-{what}-{}", uuid::Uuid::new_v4().simple());
        let created = client.create_secret().name(name).send().await.unwrap();
        arns.push(created.arn().unwrap().to_owned());
    }
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        &dir,
        &[
            ("EXPEDITE_OPENAI_SECRET_ARN", &arns[0]),
            ("EXPEDITE_SALESFORCE_SECRET_ARN", &arns[1]),
            ("SALESFORCE_CLIENT_ID", "3MVG9.connected.app"),
        ],
    );

    let secrets = Secrets::read_with(&config, &SecretsManager::new(&aws))
        .await
        .expect("an empty secret is not a start-up failure");
    let ports = Backends::open(&config)
        .await
        .unwrap()
        .ports_with(&config, &secrets)
        .await
        .unwrap();

    assert!(ports.sync.is_none(), "the sync stays off");
    let answer = ports
        .model
        .complete(&ModelRequest {
            messages: vec![Message::User("hello".into())],
            tools: Vec::new(),
            max_completion_tokens: 64,
        })
        .await
        .expect("the demo responder answers");
    assert!(answer.content.is_some());
    assert_eq!(ports.model.describe(), DemoModel.describe());
}

#[tokio::test]
async fn without_a_salesforce_client_id_the_salesforce_secret_is_not_read() {
    let aws = moto().await;
    let dir = tempfile::tempdir().unwrap();
    let nowhere = "arn:aws:secretsmanager:us-east-1:123456789012:secret:expedite/none-AbCdEf";
    let config = config(&dir, &[("EXPEDITE_SALESFORCE_SECRET_ARN", nowhere)]);

    let secrets = Secrets::read_with(&config, &SecretsManager::new(&aws))
        .await
        .expect("no org, nothing to read");
    let ports = Backends::open(&config)
        .await
        .unwrap()
        .ports_with(&config, &secrets)
        .await
        .unwrap();

    assert!(ports.sync.is_none());
}
