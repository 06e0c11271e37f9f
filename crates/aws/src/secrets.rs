//! Secrets Manager: secrets read by reference (an ARN in the environment) at start-up, so
//! their values live in no configuration, template or log.

use aws_sdk_secretsmanager::{
    Client, error::DisplayErrorContext, operation::get_secret_value::GetSecretValueError,
};

/// A secret's text. It never prints: `Debug` shows only that it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps a value that must not be printed.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(***)")
    }
}

/// Why a secret could not be read. Messages name the secret, never its value.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("secret {arn} does not exist (or this role may not see it)")]
    NotFound { arn: String },
    /// The secret exists without a value yet (a stack creates it empty; an operator sets it).
    #[error("secret {arn} has no value yet (set one with `aws secretsmanager put-secret-value`)")]
    NoValue { arn: String },
    #[error("secret {arn} has no SecretString (binary secrets are not read)")]
    NotText { arn: String },
    #[error("secret {arn} could not be read: {cause}")]
    Unavailable { arn: String, cause: String },
}

/// Reads secrets with the shared SDK configuration (its timeouts and bounded retries, see
/// [`crate::load_config`]).
#[derive(Debug, Clone)]
pub struct SecretsManager {
    client: Client,
}

impl SecretsManager {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            client: crate::calls::client!(aws_sdk_secretsmanager, config),
        }
    }

    /// The current `SecretString` of the secret `arn` (an ARN or a name).
    pub async fn get_secret_string(&self, arn: &str) -> Result<SecretText, SecretsError> {
        let arn_owned = || arn.to_owned();
        let output = match self.client.get_secret_value().secret_id(arn).send().await {
            Ok(output) => output,
            Err(error) => {
                return Err(match error.as_service_error() {
                    Some(GetSecretValueError::ResourceNotFoundException(missing)) => {
                        self.missing_or_empty(arn, missing.message()).await
                    }
                    // The SDK's error context names the operation and the service's message; a
                    // failed read carries no secret value.
                    _ => SecretsError::Unavailable {
                        arn: arn_owned(),
                        cause: DisplayErrorContext(&error).to_string(),
                    },
                });
            }
        };
        output
            .secret_string
            .map(SecretText)
            .ok_or_else(|| SecretsError::NotText { arn: arn_owned() })
    }

    /// Secrets Manager answers "not found" both for a secret that does not exist and for one
    /// without a current value; `DescribeSecret` tells them apart. A role allowed only
    /// `GetSecretValue` is told by the message, which then names the missing staging label.
    async fn missing_or_empty(&self, arn: &str, message: Option<&str>) -> SecretsError {
        let exists = match self.client.describe_secret().secret_id(arn).send().await {
            Ok(_) => true,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                false
            }
            Err(_) => message.is_some_and(|m| m.contains("staging label")),
        };
        let arn = arn.to_owned();
        if exists {
            SecretsError::NoValue { arn }
        } else {
            SecretsError::NotFound { arn }
        }
    }
}
