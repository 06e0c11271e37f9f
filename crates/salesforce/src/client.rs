//! The REST client: a cached access token, bounded retries, and API usage from every response.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    SalesforceError,
    auth::{Token, request_token},
    config::SalesforceConfig,
    limits::ApiUsage,
};

/// The header that asks for smaller query pages.
const QUERY_OPTIONS: &str = "Sforce-Query-Options";
/// The header that reports API usage.
const LIMIT_INFO: &str = "Sforce-Limit-Info";

/// A Salesforce REST client for one org. Cheap to clone; clones share the token and usage.
#[derive(Clone)]
pub struct SalesforceClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: SalesforceConfig,
    /// The current token; the lock also makes concurrent callers share one token request.
    token: tokio::sync::Mutex<Option<Arc<Token>>>,
    usage: Mutex<Option<ApiUsage>>,
}

impl std::fmt::Debug for SalesforceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceClient")
            .field("login_url", &self.inner.config.login_url)
            .field("api_version", &self.inner.config.api_version)
            .finish_non_exhaustive()
    }
}

/// One REST call, relative to the instance URL.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    /// Host-relative path starting with `/`.
    pub(crate) path: String,
    pub(crate) query: &'a [(&'a str, &'a str)],
    pub(crate) body: Option<&'a Value>,
    /// `Sforce-Query-Options: batchSize=N`.
    pub(crate) batch_size: Option<u32>,
}

impl SalesforceClient {
    /// A client with the configuration's timeouts; no request is made until the first call.
    pub fn new(config: SalesforceConfig) -> Result<Self, SalesforceError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("expedite/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &config.extra_root_certificate_pem {
            let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| SalesforceError::Config(format!("extra root certificates: {e}")))?;
            if certificates.is_empty() {
                return Err(SalesforceError::Config(
                    "extra root certificates: the PEM bundle holds no certificate".into(),
                ));
            }
            // Added to the compiled-in roots, which keep verifying Salesforce itself.
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder
            .build()
            .map_err(|e| SalesforceError::Config(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                token: tokio::sync::Mutex::default(),
                usage: Mutex::default(),
            }),
        })
    }

    pub fn config(&self) -> &SalesforceConfig {
        &self.inner.config
    }

    /// The API usage the last response reported, if any did.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        *self.inner.usage.lock().expect("usage lock")
    }

    /// Forgets the reported usage, so that only answers from now on count (usage falls as the
    /// org's rolling 24 hours move on).
    pub fn forget_api_usage(&self) {
        *self.inner.usage.lock().expect("usage lock") = None;
    }

    /// `/services/data/vXX.X`, the prefix of every REST path.
    pub fn data_path(&self) -> String {
        format!("/services/data/v{}", self.inner.config.api_version)
    }

    /// Forgets the cached token so that the next call signs in again.
    pub async fn reauthenticate(&self) {
        *self.inner.token.lock().await = None;
    }

    /// Signs in now (or returns the cached token); useful to fail fast on bad credentials.
    pub async fn authenticate(&self) -> Result<(), SalesforceError> {
        self.token().await.map(|_| ())
    }

    /// The instance URL of the current token.
    pub async fn instance_url(&self) -> Result<String, SalesforceError> {
        Ok(self.token().await?.instance_url.clone())
    }

    async fn token(&self) -> Result<Arc<Token>, SalesforceError> {
        let mut slot = self.inner.token.lock().await;
        if let Some(token) = slot.as_ref() {
            return Ok(Arc::clone(token));
        }
        let config = &self.inner.config;
        let token = Arc::new(
            self.retrying("token", || request_token(&self.inner.http, config))
                .await?,
        );
        tracing::debug!(instance_url = %token.instance_url, "signed in to Salesforce");
        *slot = Some(Arc::clone(&token));
        Ok(token)
    }

    /// Drops `stale` unless another caller already replaced it.
    async fn invalidate(&self, stale: &Arc<Token>) {
        let mut slot = self.inner.token.lock().await;
        if slot
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, stale))
        {
            *slot = None;
        }
    }

    /// Makes the call and decodes the JSON answer. On `INVALID_SESSION_ID` it signs in again
    /// once and repeats the call; 5xx answers, timeouts and lost connections are retried.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
    ) -> Result<T, SalesforceError> {
        let mut signed_in_again = false;
        loop {
            let token = self.token().await?;
            let result = self
                .retrying(call.path.as_str(), || self.attempt(&token, call))
                .await;
            match result {
                Err(SalesforceError::InvalidSession(message)) if !signed_in_again => {
                    tracing::info!(%message, "Salesforce session expired; signing in again");
                    self.invalidate(&token).await;
                    signed_in_again = true;
                }
                Err(error) => return Err(error),
                Ok(body) => {
                    return serde_json::from_slice(&body).map_err(|e| {
                        SalesforceError::Decode(format!("{} {}: {e}", call.method, call.path))
                    });
                }
            }
        }
    }

    async fn attempt(&self, token: &Token, call: &Call<'_>) -> Result<Vec<u8>, SalesforceError> {
        let url = format!("{}{}", token.instance_url, call.path);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .bearer_auth(token.access_token.expose())
            .query(call.query);
        if let Some(size) = call.batch_size {
            request = request.header(
                QUERY_OPTIONS,
                format!("batchSize={}", size.clamp(200, 2000)),
            );
        }
        if let Some(body) = call.body {
            request = request.json(body);
        }
        let response = request.send().await?;
        self.track_usage(response.headers());
        let status = response.status();
        let body = response.bytes().await?;
        if status.is_success() {
            Ok(body.to_vec())
        } else {
            Err(error_for(status, &body))
        }
    }

    fn track_usage(&self, headers: &HeaderMap) {
        let usage = headers
            .get(LIMIT_INFO)
            .and_then(|value| value.to_str().ok())
            .and_then(ApiUsage::parse);
        if let Some(usage) = usage {
            *self.inner.usage.lock().expect("usage lock") = Some(usage);
        }
    }

    /// Runs `op` up to `max_tries` times while it fails with a retryable error, backing off
    /// exponentially between tries.
    async fn retrying<T, F, Fut>(&self, what: &str, mut op: F) -> Result<T, SalesforceError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SalesforceError>>,
    {
        let tries = self.inner.config.max_tries.max(1);
        let mut delay = self.inner.config.retry_backoff;
        let mut attempt = 1;
        loop {
            match op().await {
                Err(error) if error.is_retryable() && attempt < tries => {
                    tracing::warn!(%error, attempt, what, "Salesforce call failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

fn error_for(status: StatusCode, body: &[u8]) -> SalesforceError {
    SalesforceError::from_response(status.as_u16(), &String::from_utf8_lossy(body))
}
