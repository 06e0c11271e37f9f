//! The configuration's parsing rules.

use super::*;

#[test]
fn defaults_are_a_local_process_on_port_3000() {
    let config = Config::from_vars(Vec::<(String, String)>::new()).unwrap();
    assert_eq!(config.deployment, Deployment::Local);
    assert_eq!(config.bind_addr, "127.0.0.1:3000".parse().unwrap());
    assert!(config.in_process_worker);
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert_eq!(config.data_dir, PathBuf::from("data"));
}

#[test]
fn lambda_runtime_api_selects_lambda_with_json_logs_and_no_local_worker() {
    let config = Config::from_vars([("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")]).unwrap();
    assert_eq!(config.deployment, Deployment::Lambda);
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(!config.in_process_worker);
}

#[test]
fn expedite_addr_wins_over_the_cargo_leptos_address() {
    let config = Config::from_vars([
        ("LEPTOS_SITE_ADDR", "127.0.0.1:4000"),
        ("EXPEDITE_ADDR", "0.0.0.0:8080"),
    ])
    .unwrap();
    assert_eq!(config.bind_addr, "0.0.0.0:8080".parse().unwrap());
}

#[test]
fn bad_values_name_the_variable() {
    let error = Config::from_vars([("EXPEDITE_ADDR", "not an address")]).unwrap_err();
    assert_eq!(error.name, "EXPEDITE_ADDR");
    let error = Config::from_vars([("EXPEDITE_IN_PROCESS_WORKER", "maybe")]).unwrap_err();
    assert_eq!(error.name, "EXPEDITE_IN_PROCESS_WORKER");
    let error = Config::from_vars([("EXPEDITE_REQUEST_TIMEOUT_SECS", "-1")]).unwrap_err();
    assert!(error.to_string().contains("EXPEDITE_REQUEST_TIMEOUT_SECS"));
    let error = Config::from_vars([("EXPEDITE_LOG_FORMAT", "xml")]).unwrap_err();
    assert_eq!(error.value, "xml");
}

#[test]
fn identity_defaults_to_the_built_in_provider() {
    let config = Config::from_vars([("EXPEDITE_ADDR", "127.0.0.1:8080")]).unwrap();
    assert_eq!(config.identity, IdentityBackend::Local);
    assert_eq!(config.public_url, "http://127.0.0.1:8080");
    assert_eq!(config.client_id, "expedite-web");
    let cognito = Config::from_vars([
        ("EXPEDITE_IDENTITY", "cognito"),
        (
            "EXPEDITE_COGNITO_ISSUER",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X",
        ),
        ("EXPEDITE_PUBLIC_URL", "https://app.example.com/"),
    ])
    .unwrap();
    assert_eq!(
        cognito.identity,
        IdentityBackend::Cognito {
            issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X".into(),
            jwks_url:
                "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X/.well-known/jwks.json"
                    .into(),
        }
    );
    assert_eq!(cognito.public_url, "https://app.example.com");
    let error = Config::from_vars([("EXPEDITE_IDENTITY", "cognito")]).unwrap_err();
    assert_eq!(error.name, "EXPEDITE_COGNITO_ISSUER");
}

#[test]
fn aws_backends_need_their_resource_names() {
    let error = Config::from_vars([("EXPEDITE_STORE", "dynamodb")]).unwrap_err();
    assert_eq!(error.name, "EXPEDITE_DYNAMODB_QUERIES_TABLE");
    let error = Config::from_vars([("EXPEDITE_QUEUE", "sqs")]).unwrap_err();
    assert_eq!(error.name, "EXPEDITE_SQS_QUEUE_URL");
    let error = Config::from_vars([("EXPEDITE_STORE", "postgres")]).unwrap_err();
    assert_eq!(error.name, "EXPEDITE_STORE");

    let config = Config::from_vars([
        ("EXPEDITE_STORE", "dynamodb"),
        ("EXPEDITE_DYNAMODB_QUERIES_TABLE", "q"),
        ("EXPEDITE_DYNAMODB_CUSTOMERS_TABLE", "c"),
        ("EXPEDITE_DYNAMODB_SYNC_TABLE", "s"),
        ("EXPEDITE_IDENTITY", "cognito"),
        (
            "EXPEDITE_COGNITO_ISSUER",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
        ),
        ("EXPEDITE_QUEUE", "sqs"),
        ("EXPEDITE_SQS_QUEUE_URL", "http://127.0.0.1:5000/1/jobs"),
        (
            "EXPEDITE_SQS_DEAD_LETTER_QUEUE_URL",
            "http://127.0.0.1:5000/1/dlq",
        ),
    ])
    .unwrap();
    assert_eq!(
        config.store,
        StoreBackend::DynamoDb {
            queries_table: "q".into(),
            customers_table: "c".into(),
            sync_table: "s".into(),
        }
    );
    let local_on_dynamodb = Config::from_vars([
        ("EXPEDITE_STORE", "dynamodb"),
        ("EXPEDITE_DYNAMODB_QUERIES_TABLE", "q"),
        ("EXPEDITE_DYNAMODB_CUSTOMERS_TABLE", "c"),
        ("EXPEDITE_DYNAMODB_SYNC_TABLE", "s"),
    ])
    .unwrap_err();
    assert_eq!(local_on_dynamodb.name, "EXPEDITE_IDENTITY");
    assert!(matches!(config.queue, QueueBackend::Sqs { .. }));
    assert_eq!(
        Config::from_vars([("A", "b")]).unwrap().store,
        StoreBackend::Sqlite
    );
}

#[test]
fn no_model_provider_means_the_demo_responder_and_a_key_or_url_selects_openai() {
    use crate::ai::AiProvider;

    let config = Config::from_vars(Vec::<(String, String)>::new()).unwrap();
    assert_eq!(config.ai.provider, AiProvider::Demo);
    let config = Config::from_vars([("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1/")]).unwrap();
    assert_eq!(
        config.ai.provider,
        AiProvider::OpenAi {
            api_key: None,
            base_url: Some("http://127.0.0.1:11434/v1".into()),
            model: "gpt-4o-mini".into(),
        }
    );
    let config =
        Config::from_vars([("OPENAI_API_KEY", "sk-secret"), ("OPENAI_MODEL", "gpt-x")]).unwrap();
    let printed = format!("{config:?}");
    assert!(!printed.contains("sk-secret"), "the key never prints");
    assert!(printed.contains("gpt-x"));
}

#[test]
fn secrets_by_reference_are_arns_in_the_configuration() {
    use crate::ai::AiProvider;

    let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:expedite/openai-Ab12Cd";
    let config = Config::from_vars([
        ("EXPEDITE_OPENAI_SECRET_ARN", arn),
        ("EXPEDITE_SALESFORCE_SECRET_ARN", "expedite/salesforce"),
    ])
    .unwrap();
    assert_eq!(config.ai.api_key_secret_arn.as_deref(), Some(arn));
    assert!(
        matches!(config.ai.provider, AiProvider::OpenAi { api_key: None, .. }),
        "the secret selects OpenAI; its key is read later, by the process that runs jobs"
    );
    assert_eq!(
        config.salesforce_secret_arn.as_deref(),
        Some("expedite/salesforce")
    );
    let error = Config::from_vars([
        ("EXPEDITE_OPENAI_SECRET_ARN", arn),
        ("OPENAI_API_KEY", "sk-secret"),
    ])
    .unwrap_err();
    assert_eq!(error.name, "EXPEDITE_OPENAI_SECRET_ARN");
    assert!(!error.to_string().contains("sk-secret"), "{error}");
}

#[test]
fn an_answer_must_end_before_its_job_becomes_visible_again() {
    let error = Config::from_vars([
        ("EXPEDITE_AI_TIMEOUT_SECS", "300"),
        ("EXPEDITE_JOB_VISIBILITY_SECS", "300"),
    ])
    .unwrap_err();
    assert_eq!(error.name, "EXPEDITE_AI_TIMEOUT_SECS");
    let config = Config::from_vars([
        ("EXPEDITE_AI_TIMEOUT_SECS", "80"),
        ("EXPEDITE_JOB_VISIBILITY_SECS", "540"),
        ("EXPEDITE_AI_RETRY_BASE_MS", "250"),
    ])
    .unwrap();
    assert_eq!(config.ai.answer_timeout, Duration::from_secs(80));
    assert_eq!(config.ai.retry_base, Duration::from_millis(250));
    assert!(Config::from_vars([("EXPEDITE_AI_RETRY_BASE_MS", "soon")]).is_err());
}

#[test]
fn salesforce_variables_are_kept_for_the_adapter_without_printing_their_values() {
    let config = Config::from_vars([
        ("SALESFORCE_CLIENT_ID", "3MVG9"),
        ("SALESFORCE_CLIENT_SECRET", "hunter2"),
        ("OTHER", "x"),
    ])
    .unwrap();
    assert_eq!(
        config.salesforce.get("SALESFORCE_CLIENT_ID").as_deref(),
        Some("3MVG9")
    );
    assert_eq!(config.salesforce.get("OTHER"), None);
    assert!(!format!("{config:?}").contains("hunter2"));
    assert!(config.demo_salesforce, "demo sandbox on by default locally");
    let lambda = Config::from_vars([("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")]).unwrap();
    assert!(!lambda.demo_salesforce, "never on Lambda");
}
