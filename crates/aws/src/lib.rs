//! The AWS backends: [`DynamoStore`] (the store port on DynamoDB), [`SqsQueue`] (the queue
//! port on SQS with a dead-letter queue), [`CognitoIdp`] (the identity provider port on a
//! Cognito user pool) and [`SecretsManager`] (secrets read by reference at start-up). Only this
//! crate knows the SDKs' types. Their clients record each AWS call when [`CALL_LOG_VAR`] names a
//! file ([`calls`]).
//!
//! Tables and indexes are declared in `infra/template.yaml`; the names of the indexes used here
//! are in [`dynamo::indexes`], and the tests create their tables from that template.

pub mod calls;
mod cognito;
pub mod dynamo;
pub mod provision;
mod secrets;
mod sqs;

pub use calls::{CALL_LOG_VAR, CallLog};
pub use cognito::CognitoIdp;
pub use dynamo::{DynamoStore, TableNames};
pub use secrets::{SecretText, SecretsError, SecretsManager};
pub use sqs::SqsQueue;

/// Where the AWS clients point. `endpoint_url` and `static_credentials` are for local
/// emulators (moto); otherwise the default chains (environment, role) decide.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// (access key id, secret) for an emulator that accepts any.
    pub static_credentials: Option<(String, String)>,
}

/// Loads the shared AWS configuration (credentials chain, region, retries, timeouts).
pub async fn load_config(settings: &AwsSettings) -> aws_config::SdkConfig {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(3))
        .operation_attempt_timeout(std::time::Duration::from_secs(25))
        .operation_timeout(std::time::Duration::from_secs(60))
        .build();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(4));
    if let Some(region) = &settings.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some((key, secret)) = &settings.static_credentials {
        loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            key, secret, None, None, "static",
        ));
    }
    loader.load().await
}
