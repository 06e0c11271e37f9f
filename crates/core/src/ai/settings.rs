//! Which model answers questions, read from the environment.

use std::time::Duration;

use crate::config::{ConfigError, Vars};

/// Where answers come from.
#[derive(Clone, PartialEq, Eq)]
pub enum AiProvider {
    /// No provider configured: the built-in demo responder.
    Demo,
    /// OpenAI, or any OpenAI-compatible endpoint when `base_url` is set.
    OpenAi {
        /// `OPENAI_API_KEY`; compatible local servers often need none.
        api_key: Option<String>,
        /// `OPENAI_BASE_URL`, e.g. `http://127.0.0.1:11434/v1`; OpenAI's own when absent.
        base_url: Option<String>,
        /// `OPENAI_MODEL`, default `gpt-4o-mini`.
        model: String,
    },
}

impl std::fmt::Debug for AiProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Demo => f.write_str("Demo"),
            Self::OpenAi {
                api_key,
                base_url,
                model,
            } => f
                .debug_struct("OpenAi")
                .field("api_key", &api_key.as_ref().map(|_| "<redacted>"))
                .field("base_url", base_url)
                .field("model", model)
                .finish(),
        }
    }
}

/// How questions are answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSettings {
    pub provider: AiProvider,
    /// `EXPEDITE_OPENAI_SECRET_ARN`: a Secrets Manager secret whose SecretString is the API
    /// key, read at start-up by the process that runs jobs (the provider is then OpenAI).
    pub api_key_secret_arn: Option<String>,
    /// Upper bound on one answer, tool calls included (`EXPEDITE_AI_TIMEOUT_SECS`, default 120).
    /// Below `job_visibility`, so no query outlives its lease.
    pub answer_timeout: Duration,
    /// How long a received job stays hidden from other workers before it is redelivered
    /// (`EXPEDITE_JOB_VISIBILITY_SECS`, default 300; on AWS the SQS queue's own setting).
    pub job_visibility: Duration,
    /// First wait before a job whose model calls kept failing is tried again; it doubles with
    /// each delivery (`EXPEDITE_AI_RETRY_BASE_MS`, default 10 000).
    pub retry_base: Duration,
    /// Jobs one worker runs at once (`EXPEDITE_WORKER_CONCURRENCY`, default 16).
    pub worker_concurrency: u32,
}

impl AiSettings {
    pub(crate) fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let api_key = vars.get("OPENAI_API_KEY").map(str::to_owned);
        let base_url = vars
            .get("OPENAI_BASE_URL")
            .map(|url| url.trim_end_matches('/').to_owned());
        let api_key_secret_arn = vars
            .get("EXPEDITE_OPENAI_SECRET_ARN")
            .map(|arn| arn.trim().to_owned());
        if api_key.is_some() && api_key_secret_arn.is_some() {
            return Err(ConfigError {
                name: "EXPEDITE_OPENAI_SECRET_ARN",
                value: api_key_secret_arn.unwrap_or_default(),
                problem: "OPENAI_API_KEY is set too: give the key one way",
            });
        }
        let provider = if api_key.is_none() && base_url.is_none() && api_key_secret_arn.is_none() {
            AiProvider::Demo
        } else {
            AiProvider::OpenAi {
                api_key,
                base_url,
                model: vars.get("OPENAI_MODEL").unwrap_or("gpt-4o-mini").to_owned(),
            }
        };
        let answer_timeout = vars.secs_or("EXPEDITE_AI_TIMEOUT_SECS", 120)?;
        let job_visibility = vars.secs_or("EXPEDITE_JOB_VISIBILITY_SECS", 300)?;
        if answer_timeout >= job_visibility {
            return Err(ConfigError {
                name: "EXPEDITE_AI_TIMEOUT_SECS",
                value: answer_timeout.as_secs().to_string(),
                problem: "must be below EXPEDITE_JOB_VISIBILITY_SECS, so no query outlives its lease",
            });
        }
        let retry_base_ms = vars
            .parse_or::<u64>("EXPEDITE_AI_RETRY_BASE_MS", "a number of milliseconds")?
            .unwrap_or(10_000);
        Ok(Self {
            provider,
            api_key_secret_arn,
            answer_timeout,
            job_visibility,
            retry_base: Duration::from_millis(retry_base_ms),
            worker_concurrency: vars.positive_or("EXPEDITE_WORKER_CONCURRENCY", 16)?,
        })
    }
}
