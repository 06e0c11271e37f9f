//! Expedite's [`LanguageModel`] over OpenAI's Chat Completions API, through `async-openai`.
//!
//! Works with OpenAI and with OpenAI-compatible servers (set the base URL). Every call has a
//! connect timeout and an overall timeout. Retries are the client's own (at most 3, honouring
//! `Retry-After`, on 429 other than `insufficient_quota`, 5xx and connection errors); what still
//! fails is returned as [`ModelError::Retryable`] for the job to be redelivered, or as
//! [`ModelError::Fatal`] with a message a user can act on (a certificate the client does not
//! trust is fatal: `EXPEDITE_CA_FILE` adds certificate authorities, see
//! [`OpenAiModel::trusting`]).

mod convert;
mod reply;

use std::time::Duration;

use async_openai::{Client, config::OpenAIConfig, error::OpenAIError};
use async_trait::async_trait;
use expedite_core::{
    ai::{LanguageModel, ModelError, ModelReply, ModelRequest},
    config::CaBundle,
};

/// Where to reach the model.
#[derive(Clone)]
pub struct OpenAiSettings {
    /// `None` for OpenAI itself (`https://api.openai.com/v1`).
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub model: String,
    /// Upper bound on one HTTP call, retries excluded.
    pub call_timeout: Duration,
}

/// An OpenAI-compatible chat model.
pub struct OpenAiModel {
    client: Client<OpenAIConfig>,
    model: String,
    endpoint: String,
}

impl OpenAiModel {
    /// A model over the client's own trust roots.
    pub fn new(settings: OpenAiSettings) -> Result<Self, String> {
        Self::trusting(settings, None)
    }

    /// A model that also trusts the certificate authorities of `ca` (`EXPEDITE_CA_FILE`): a
    /// TLS-inspecting proxy or a private CA in front of the endpoint.
    pub fn trusting(settings: OpenAiSettings, ca: Option<&CaBundle>) -> Result<Self, String> {
        let endpoint = settings
            .base_url
            .unwrap_or_else(|| "https://api.openai.com/v1".to_owned());
        // Every value is set explicitly so that nothing is read from the environment.
        let config = OpenAIConfig::new()
            .with_api_base(endpoint.clone())
            .with_api_key(settings.api_key.unwrap_or_default())
            .with_org_id("")
            .with_project_id("");
        let mut http = reqwest13::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(settings.call_timeout);
        if let Some(ca) = ca {
            let certificates = reqwest13::Certificate::from_pem_bundle(ca.pem().as_bytes())
                .map_err(|error| format!("EXPEDITE_CA_FILE {}: {error}", ca.path().display()))?;
            // Merged with the platform's roots, which keep verifying public endpoints.
            http = http.tls_certs_merge(certificates);
        }
        let http = http
            .build()
            .map_err(|error| format!("could not build the HTTP client: {error}"))?;
        Ok(Self {
            client: Client::build(http, config),
            model: settings.model,
            endpoint,
        })
    }
}

#[async_trait]
impl LanguageModel for OpenAiModel {
    fn describe(&self) -> String {
        format!("{} at {}", self.model, self.endpoint)
    }

    async fn complete(&self, request: &ModelRequest) -> Result<ModelReply, ModelError> {
        let body = convert::request(&self.model, request);
        let started = std::time::Instant::now();
        // Read as JSON, then leniently: compatible servers send shapes OpenAI's types refuse.
        let response = self
            .client
            .chat()
            .create_byot::<_, serde_json::Value>(body)
            .await;
        tracing::info!(
            model = %self.model,
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok = response.is_ok(),
            "model call"
        );
        match response {
            Ok(response) => reply::read(response, &request.tools, &self.model),
            Err(error) => Err(classify(error)),
        }
    }
}

/// The message of an `{"error": …}` body, if `body` is one.
fn gateway_error(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let error = value.get("error")?;
    Some(
        error
            .get("message")
            .and_then(serde_json::Value::as_str)
            .map_or_else(|| error.to_string(), str::to_owned),
    )
}

/// Sorts a failed call into worth-retrying-later or tell-the-user.
fn classify(error: OpenAIError) -> ModelError {
    match error {
        OpenAIError::ApiError(response) => {
            let status = response.status_code.as_u16();
            let api = response.api_error;
            let code = api.code.as_deref().unwrap_or_default();
            match (status, code) {
                (_, "insufficient_quota") => ModelError::Fatal(
                    "The AI provider account has run out of quota. An administrator needs to add credit or raise the limit."
                        .to_owned(),
                ),
                (_, "context_length_exceeded") => ModelError::Fatal(
                    "The question and the customer data it needed are too long for the model. Ask a narrower question."
                        .to_owned(),
                ),
                (401 | 403, _) => ModelError::Fatal(
                    "The AI provider rejected the API key. An administrator needs to check OPENAI_API_KEY."
                        .to_owned(),
                ),
                (429, _) => ModelError::Retryable {
                    message: "the AI provider is rate limiting requests".to_owned(),
                    retry_after: None,
                },
                (500.., _) => ModelError::Retryable {
                    message: format!("the AI provider had an error ({status})"),
                    retry_after: None,
                },
                _ => ModelError::Fatal(format!(
                    "The AI provider refused the request ({status}): {}",
                    api.message
                )),
            }
        }
        OpenAIError::Reqwest(error) => match expedite_core::tls::certificate_failure(&error) {
            Some(detail) => {
                let origin = error.url().map_or_else(String::new, |url| {
                    format!(" of {}", url.origin().ascii_serialization())
                });
                ModelError::Fatal(format!(
                    "The AI provider's certificate{origin} could not be verified: {detail}. An \
                     administrator needs to set EXPEDITE_CA_FILE to the certificate authority in \
                     front of it, or fix OPENAI_BASE_URL."
                ))
            }
            None => ModelError::Retryable {
                message: if error.is_timeout() {
                    "the AI provider did not answer in time".to_owned()
                } else {
                    "the AI provider could not be reached".to_owned()
                },
                retry_after: None,
            },
        },
        // Some compatible gateways send error bodies OpenAI's types cannot read (a numeric
        // `code`); those are errors of the provider, worth another try. Anything else that does
        // not read is a response of the wrong shape.
        OpenAIError::JSONDeserialize(error, body) => match gateway_error(&body) {
            Some(message) => ModelError::Retryable {
                message: format!("the AI provider answered with an error: {message}"),
                retry_after: None,
            },
            None => ModelError::Fatal(format!(
                "The AI provider's response could not be read ({error}); check that OPENAI_BASE_URL is an OpenAI-compatible endpoint."
            )),
        },
        other => ModelError::Fatal(format!("The AI request failed: {other}")),
    }
}
