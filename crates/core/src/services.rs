//! The use-cases, held together with the ports they need. REST handlers, server functions,
//! the worker and the Lambda entries all call these methods and nothing lower.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use async_trait::async_trait;
use expedite_domain::{Role, SystemStatus, UserSummary};

use crate::{
    Config, IdentityBackend,
    ai::{DemoModel, LanguageModel},
    identity::{Caller, IdentityProvider, SessionEnd, SessionTokens, SignInError},
    jobs::{Attempt, Job, JobError, JobHandler},
    queue::Queue,
    store::{Store, StoreError},
    sync::SyncEngine,
};

/// Why a use-case refused the caller or could not answer.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("This is for administrators.")]
    Forbidden,
    #[error("Accounts are managed in the identity provider's own console for this deployment.")]
    ManagedElsewhere,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The adapters the use-cases run on.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    /// Only processes that sign people in need one.
    pub identity: Option<Arc<dyn IdentityProvider>>,
    /// Answers questions; the demo responder unless a provider is configured.
    pub model: Arc<dyn LanguageModel>,
    /// Talks to Salesforce; without it, sync jobs fail with a clear message.
    pub sync: Option<Arc<dyn SyncEngine>>,
}

impl Ports {
    /// A store and a queue, the demo responder, no identity provider and no Salesforce.
    pub fn new(store: Arc<dyn Store>, queue: Arc<dyn Queue>) -> Self {
        Self {
            store,
            queue,
            identity: None,
            model: Arc::new(DemoModel),
            sync: None,
        }
    }
}

/// Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Arc<dyn Store>,
    queue: Arc<dyn Queue>,
    identity: Option<Arc<dyn IdentityProvider>>,
    model: Arc<dyn LanguageModel>,
    sync: Option<Arc<dyn SyncEngine>>,
    /// Sign-in attempts per account (against password guessing spread over many addresses).
    sign_in_attempts: Option<governor::DefaultKeyedRateLimiter<String>>,
    started: Instant,
    status_checks: AtomicU64,
}

impl Services {
    pub fn new(config: Config, ports: Ports) -> Self {
        let Ports {
            store,
            queue,
            identity,
            model,
            sync,
        } = ports;
        let limits = &config.rate_limits;
        let sign_in_attempts = limits.enabled.then(|| {
            let per_minute = std::num::NonZeroU32::new(limits.sign_in_per_minute)
                .unwrap_or(std::num::NonZeroU32::MIN);
            governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute))
        });
        Self {
            inner: Arc::new(Inner {
                sign_in_attempts,
                config,
                store,
                queue,
                identity,
                model,
                sync,
                started: Instant::now(),
                status_checks: AtomicU64::new(0),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub fn queue(&self) -> &Arc<dyn Queue> {
        &self.inner.queue
    }

    pub fn model(&self) -> &Arc<dyn LanguageModel> {
        &self.inner.model
    }

    pub(crate) fn sync_engine(&self) -> Option<&Arc<dyn SyncEngine>> {
        self.inner.sync.as_ref()
    }

    fn identity(&self) -> Result<&Arc<dyn IdentityProvider>, SignInError> {
        self.inner.identity.as_ref().ok_or_else(|| {
            SignInError::Unavailable("no identity provider is configured for this process".into())
        })
    }

    /// Signs a person in with email and password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SessionTokens, SignInError> {
        let identity = self.identity()?;
        if let Some(attempts) = &self.inner.sign_in_attempts {
            let account = email.trim().to_lowercase();
            if attempts.check_key(&account).is_err() {
                tracing::warn!("sign-in attempts for one account over the limit");
                return Err(SignInError::TooManyAttempts);
            }
        }
        identity.sign_in(email, password).await
    }

    /// Renews a session with its refresh token.
    pub async fn refresh_session(&self, refresh_token: &str) -> Result<SessionTokens, SignInError> {
        self.identity()?.refresh(refresh_token).await
    }

    /// Finishes a sign-in that asked for a new password.
    pub async fn complete_new_password(
        &self,
        email: &str,
        new_password: &str,
        session: &str,
    ) -> Result<SessionTokens, SignInError> {
        self.identity()?
            .complete_new_password(email, new_password, session)
            .await
    }

    /// Ends a session.
    pub async fn sign_out(&self, session: &SessionEnd) -> Result<(), SignInError> {
        self.identity()?.sign_out(session).await
    }

    /// The built-in provider's accounts, for administrators only.
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<UserSummary>, AccessError> {
        require_admin(caller)?;
        if self.inner.config.identity != IdentityBackend::Local {
            return Err(AccessError::ManagedElsewhere);
        }
        let users = self.inner.store.list_users().await?;
        Ok(users.iter().map(UserSummary::from).collect())
    }

    /// Whether the process can serve requests: its store answers.
    pub async fn ready(&self) -> Result<(), StoreError> {
        self.inner.store.ping().await
    }

    /// What is running and on which backends; counts how often it was asked.
    pub fn system_status(&self) -> SystemStatus {
        let checks = self.inner.status_checks.fetch_add(1, Ordering::Relaxed) + 1;
        let worker = if self.inner.config.in_process_worker {
            "in-process"
        } else {
            "separate process"
        };
        SystemStatus {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            deployment: self.inner.config.deployment,
            demo_mode: self.inner.config.ai.provider == crate::ai::AiProvider::Demo,
            backends: vec![
                (
                    "Store".to_owned(),
                    self.inner.store.backend_name().to_owned(),
                ),
                (
                    "Job queue".to_owned(),
                    self.inner.queue.backend_name().to_owned(),
                ),
                ("Worker".to_owned(), worker.to_owned()),
                ("Answers".to_owned(), self.inner.model.describe()),
            ],
            uptime_secs: self.inner.started.elapsed().as_secs(),
            checks,
        }
    }
}

/// Administrators only: [`AccessError::Forbidden`] for everyone else.
pub(crate) fn require_admin(caller: &Caller) -> Result<(), AccessError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AccessError::Forbidden)
    }
}

#[async_trait]
impl JobHandler for Services {
    /// Runs a job through the use-case that owns its kind.
    async fn handle(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        match job {
            Job::AiQuery { query_id } => self.run_query(query_id, attempt).await,
            Job::SalesforceSync { sync_id } => self.run_sync(sync_id, attempt).await,
            Job::ScheduledPoll => self.scheduled_poll(attempt).await,
        }
    }
}
