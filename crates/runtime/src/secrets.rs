//! Secrets read by reference at start-up: the Secrets Manager secrets the configuration names
//! by ARN, read once by the process that runs jobs (the worker, or the self-hosted server with
//! its in-process worker) and kept in memory. The server on Lambda reads none.

use anyhow::{Context, anyhow};
use expedite_aws::{AwsSettings, SecretText, SecretsError, SecretsManager};
use expedite_core::Config;
use serde::Deserialize;

/// The parts of the Salesforce secret (JSON `{"client_secret": …, "private_key": …}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesforceSecret {
    /// The connected app's consumer secret (client credentials flow).
    pub client_secret: Option<SecretText>,
    /// The PEM key JWT bearer assertions are signed with.
    pub private_key: Option<SecretText>,
}

/// The variable naming the OpenAI key's secret.
pub const OPENAI_SECRET_VAR: &str = "EXPEDITE_OPENAI_SECRET_ARN";
/// The variable naming the Salesforce secret.
pub const SALESFORCE_SECRET_VAR: &str = "EXPEDITE_SALESFORCE_SECRET_ARN";

/// The secrets the configuration refers to, as read. Nothing in here prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// `EXPEDITE_OPENAI_SECRET_ARN`'s SecretString: the OpenAI API key.
    pub openai_api_key: Option<SecretText>,
    /// `EXPEDITE_SALESFORCE_SECRET_ARN`'s SecretString, parsed.
    pub salesforce: Option<SalesforceSecret>,
    /// The variables whose secret was looked at but gave no value: it exists without one yet
    /// (the stack creates its secrets empty), or, for Salesforce, no `SALESFORCE_CLIENT_ID`
    /// needs it. What they configure stays off (the demo responder, no sync) until then.
    pub unset: Vec<&'static str>,
}

impl Secrets {
    /// Reads every secret the configuration names through the SDK's standard settings
    /// (region, credentials, `AWS_ENDPOINT_URL`); touches no AWS configuration when it names none.
    pub async fn read(config: &Config) -> anyhow::Result<Self> {
        if config.ai.api_key_secret_arn.is_none() && config.salesforce_secret_arn.is_none() {
            return Ok(Self::default());
        }
        let aws = expedite_aws::load_config(&AwsSettings::default()).await;
        Self::read_with(config, &SecretsManager::new(&aws)).await
    }

    /// Reads every secret the configuration names from `manager`. An error names the
    /// variable and the secret, never a value, and fails start-up.
    pub async fn read_with(config: &Config, manager: &SecretsManager) -> anyhow::Result<Self> {
        let mut secrets = Self::default();
        if let Some(arn) = &config.ai.api_key_secret_arn {
            match value(manager, OPENAI_SECRET_VAR, arn).await? {
                // A key pasted with a trailing newline would otherwise fail as a bad key.
                Some(key) if !key.expose().trim().is_empty() => {
                    secrets.openai_api_key = Some(SecretText::new(key.expose().trim()));
                }
                Some(_) => anyhow::bail!("{OPENAI_SECRET_VAR}: secret {arn} is blank"),
                None => secrets.unset.push(OPENAI_SECRET_VAR),
            }
        }
        if let Some(arn) = &config.salesforce_secret_arn {
            if config.salesforce.get("SALESFORCE_CLIENT_ID").is_none() {
                tracing::info!(
                    "{SALESFORCE_SECRET_VAR} is set without SALESFORCE_CLIENT_ID: no org, so the secret is not read"
                );
                secrets.unset.push(SALESFORCE_SECRET_VAR);
            } else if let Some(text) = value(manager, SALESFORCE_SECRET_VAR, arn).await? {
                let parsed = salesforce_secret(&text)
                    .with_context(|| format!("{SALESFORCE_SECRET_VAR}: secret {arn}"))?;
                secrets.salesforce = Some(parsed);
            } else {
                secrets.unset.push(SALESFORCE_SECRET_VAR);
            }
        }
        tracing::info!(
            openai_api_key = secrets.openai_api_key.is_some(),
            salesforce = secrets.salesforce.is_some(),
            "secrets read from Secrets Manager"
        );
        Ok(secrets)
    }
}

/// The secret's value; `None` when it exists without one yet. Any other failure fails
/// start-up, naming the variable.
async fn value(
    manager: &SecretsManager,
    variable: &'static str,
    arn: &str,
) -> anyhow::Result<Option<SecretText>> {
    match manager.get_secret_string(arn).await {
        Ok(text) => Ok(Some(text)),
        Err(SecretsError::NoValue { .. }) => {
            tracing::warn!(
                secret = arn,
                "{variable}: the secret has no value yet; what it configures stays off until one is set"
            );
            Ok(None)
        }
        Err(error) => Err(anyhow!(error).context(format!("{variable}: reading the secret"))),
    }
}

/// The Salesforce secret's JSON; unknown keys are refused, so a misspelt one is not ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SalesforceJson {
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    private_key: Option<String>,
}

fn salesforce_secret(text: &SecretText) -> anyhow::Result<SalesforceSecret> {
    let parsed: SalesforceJson = serde_json::from_str(text.expose()).map_err(|error| {
        // serde's message can quote the text it could not read, which is the secret: say only
        // where and what kind of fault it is.
        anyhow!(
            "not a JSON object with the string fields client_secret and private_key \
             ({:?} error at line {}, column {})",
            error.classify(),
            error.line(),
            error.column()
        )
    })?;
    let part = |value: Option<String>| value.filter(|v| !v.trim().is_empty()).map(SecretText::new);
    let secret = SalesforceSecret {
        client_secret: part(parsed.client_secret),
        private_key: part(parsed.private_key),
    };
    if secret.client_secret.is_none() && secret.private_key.is_none() {
        anyhow::bail!("holds neither client_secret nor private_key");
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_salesforce_secret_is_json_with_optional_parts() {
        let secret = salesforce_secret(&SecretText::new(r#"{"client_secret": "shh"}"#)).unwrap();
        assert_eq!(secret.client_secret, Some(SecretText::new("shh")));
        assert_eq!(secret.private_key, None);
        let pem = "-----BEGIN PRIVATE KEY-----\nMII=\n-----END PRIVATE KEY-----\n";
        let both = serde_json::json!({"client_secret": "s", "private_key": pem}).to_string();
        let secret = salesforce_secret(&SecretText::new(both)).unwrap();
        assert_eq!(secret.private_key, Some(SecretText::new(pem)));
        assert!(!format!("{secret:?}").contains("PRIVATE"), "{secret:?}");
    }

    #[test]
    fn a_malformed_salesforce_secret_is_refused_without_quoting_it() {
        for text in [
            "hunter2",
            r#""hunter2""#,
            r#"{"client_secret": 7, "x": "hunter2"}"#,
            r#"{"client_secrte": "hunter2"}"#,
            r#"{"client_secret": ""}"#,
        ] {
            let error = salesforce_secret(&SecretText::new(text)).unwrap_err();
            assert!(!format!("{error:#}").contains("hunter2"), "{error:#}");
        }
    }
}
