//! The use-cases, held together with the ports they need. REST handlers, server functions,
//! the worker and the Lambda entries all call these methods and nothing lower.

use std::{sync::Arc, time::Instant};

use async_trait::async_trait;
use expedite_domain::{SystemStatus, Timestamp, UserSummary};

use crate::{
    Config, IdentityBackend,
    ai::{DemoModel, LanguageModel},
    clock::{self, Clock},
    identity::{Caller, IdentityProvider, SessionEnd, SessionTokens, SignInError},
    intake::{Intake, SaveThenSend},
    jobs::{Attempt, Job, JobError, JobHandler},
    queue::Queue,
    store::{IdentityStore, Store, StoreError},
    sync::SyncEngine,
};

mod sign_in_guard;

use sign_in_guard::{Outcome, SignInGuard};

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
    /// Records new queries and sync runs with their jobs (atomically where the backends can).
    pub intake: Arc<dyn Intake>,
    /// Only processes that sign people in need one.
    pub identity: Option<Arc<dyn IdentityProvider>>,
    /// The built-in provider's accounts (the embedded store); none with Cognito.
    pub accounts: Option<Arc<dyn IdentityStore>>,
    /// Answers questions; the demo responder unless a provider is configured.
    pub model: Arc<dyn LanguageModel>,
    /// Talks to Salesforce; without it, sync jobs fail with a clear message.
    pub sync: Option<Arc<dyn SyncEngine>>,
    /// The deployment syncs with Salesforce although this process holds no engine: a server
    /// that leaves every job to the worker (on Lambda) still accepts manual syncs. A process
    /// with [`Self::sync`] counts as configured either way.
    pub salesforce_configured: bool,
    /// Where every use-case reads the time.
    pub clock: Arc<dyn Clock>,
}

impl Ports {
    /// A store and a queue (saving, then sending), the demo responder, no identity provider
    /// and no Salesforce.
    pub fn new(store: Arc<dyn Store>, queue: Arc<dyn Queue>) -> Self {
        Self {
            intake: Arc::new(SaveThenSend::new(store.clone(), queue.clone())),
            store,
            queue,
            identity: None,
            accounts: None,
            model: Arc::new(DemoModel),
            sync: None,
            salesforce_configured: false,
            clock: clock::system(),
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
    intake: Arc<dyn Intake>,
    identity: Option<Arc<dyn IdentityProvider>>,
    accounts: Option<Arc<dyn IdentityStore>>,
    model: Arc<dyn LanguageModel>,
    sync: Option<Arc<dyn SyncEngine>>,
    /// This process runs syncs, or the worker does (see [`Ports::salesforce_configured`]).
    salesforce_configured: bool,
    clock: Arc<dyn Clock>,
    /// Failed sign-ins per account and address, and per account (see [`SignInGuard`]).
    sign_in_attempts: Option<SignInGuard>,
    started: Instant,
}

impl Services {
    pub fn new(config: Config, ports: Ports) -> Self {
        let Ports {
            store,
            queue,
            intake,
            identity,
            accounts,
            model,
            sync,
            salesforce_configured,
            clock,
        } = ports;
        let limits = &config.rate_limits;
        let sign_in_attempts = limits.enabled.then(|| {
            SignInGuard::new(
                limits.sign_in_per_minute,
                limits.sign_in_account_failures,
                limits.sign_in_max_delay,
            )
        });
        Self {
            inner: Arc::new(Inner {
                sign_in_attempts,
                config,
                store,
                queue,
                intake,
                identity,
                accounts,
                model,
                salesforce_configured: salesforce_configured || sync.is_some(),
                sync,
                clock,
                started: Instant::now(),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The time, as the use-cases see it.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub fn queue(&self) -> &Arc<dyn Queue> {
        &self.inner.queue
    }

    pub(crate) fn intake(&self) -> &Arc<dyn Intake> {
        &self.inner.intake
    }

    pub fn model(&self) -> &Arc<dyn LanguageModel> {
        &self.inner.model
    }

    pub(crate) fn sync_engine(&self) -> Option<&Arc<dyn SyncEngine>> {
        self.inner.sync.as_ref()
    }

    /// Whether this deployment syncs with Salesforce (here or in the worker).
    pub fn salesforce_configured(&self) -> bool {
        self.inner.salesforce_configured
    }

    fn identity(&self) -> Result<&Arc<dyn IdentityProvider>, SignInError> {
        self.inner.identity.as_ref().ok_or_else(|| {
            SignInError::Unavailable("no identity provider is configured for this process".into())
        })
    }

    /// Signs a person in with email and password from `client` (the edge's client key), within
    /// the limits of [`SignInGuard`]: failures per account and address, and per account.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
    ) -> Result<SessionTokens, SignInError> {
        let identity = self.identity()?;
        let Some(guard) = &self.inner.sign_in_attempts else {
            let result = identity.sign_in(email, password).await;
            if matches!(result, Err(SignInError::InvalidCredentials)) {
                crate::metrics::sign_in_failed();
            }
            return result;
        };
        let attempt = guard
            .begin(&email.trim().to_lowercase(), client)
            .map_err(|wait| {
                tracing::warn!(
                    client,
                    wait_ms = wait.as_millis() as u64,
                    "sign-in attempts on one account over the limit"
                );
                crate::metrics::rate_limited("sign_in_account");
                SignInError::TooManyAttempts {
                    retry_after: Some(wait),
                }
            })?;
        let result = identity.sign_in(email, password).await;
        let outcome = match &result {
            Ok(_) | Err(SignInError::NewPasswordRequired { .. }) => Outcome::Succeeded,
            Err(SignInError::InvalidCredentials) => {
                crate::metrics::sign_in_failed();
                Outcome::Failed
            }
            Err(_) => Outcome::Undecided,
        };
        guard.settle(attempt, outcome);
        result
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
        caller.require_admin()?;
        let accounts = match (&self.inner.config.identity, &self.inner.accounts) {
            (IdentityBackend::Local, Some(accounts)) => accounts,
            _ => return Err(AccessError::ManagedElsewhere),
        };
        let users = accounts.list_users().await?;
        Ok(users.iter().map(UserSummary::from).collect())
    }

    /// Whether the process can serve requests: its store answers.
    pub async fn ready(&self) -> Result<(), StoreError> {
        self.inner.store.ping().await
    }

    /// What is running and on which backends, for a signed-in caller.
    pub fn system_status(&self, _caller: &Caller) -> SystemStatus {
        let worker = if self.inner.config.in_process_worker {
            "in-process"
        } else {
            "separate process"
        };
        SystemStatus {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            deployment: self.inner.config.deployment,
            demo_answers: self.inner.config.ai.provider == crate::ai::AiProvider::Demo,
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
            checked_at: self.now(),
        }
    }
}

#[async_trait]
impl JobHandler for Services {
    /// Runs a job through the use-case that owns its kind.
    async fn handle(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        match job {
            Job::AiQuery { query_id } => self.run_query(query_id, attempt).await,
            Job::SalesforceSync { sync_id, step } => self.run_sync(sync_id, *step, attempt).await,
            Job::ScheduledPoll => self.scheduled_poll().await,
        }
    }
}
