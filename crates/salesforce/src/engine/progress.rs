//! The run record as a run goes: counts and issues saved as they change, and the final status.

use std::time::{Duration, Instant};

use expedite_core::{
    jobs::{Attempt, JobError},
    store::{Store, StoreError},
};
use expedite_domain::{SyncCheckpoint, SyncIssue, SyncRun, SyncStatus};

use super::{Clock, Ending, SYNC_LEASE};
use crate::SalesforceError;

/// Why a run could not finish.
#[derive(Debug)]
pub(super) enum Failure {
    /// Worth another delivery (store or Salesforce unavailable, lease lost).
    Transient(String),
    /// Will not succeed by trying again (bad credentials, a query Salesforce refuses).
    Permanent { code: String, message: String },
}

impl Failure {
    pub(super) fn store(error: StoreError) -> Self {
        Self::Transient(format!("store: {error}"))
    }

    pub(super) fn salesforce(error: SalesforceError) -> Self {
        if error.is_retryable() {
            Self::Transient(error.to_string())
        } else {
            Self::Permanent {
                code: error.code().to_owned(),
                message: error.to_string(),
            }
        }
    }

    pub(super) fn into_job_error(self) -> JobError {
        match self {
            Self::Transient(message) => JobError::transient(message),
            Self::Permanent { message, .. } => JobError::Permanent(message),
        }
    }
}

/// The run being worked on, with what is needed to save it and the delivery's time budget.
pub(super) struct Progress<'a> {
    pub(super) run: SyncRun,
    pub(super) holder: String,
    store: &'a dyn Store,
    clock: &'a Clock,
    /// When this delivery must have stopped (see [`Attempt::deadline`]).
    deadline: Option<Instant>,
    /// Pages (or push chunks) this delivery wrote, and the slowest of them.
    steps_here: u32,
    slowest_step: Duration,
}

impl<'a> Progress<'a> {
    pub(super) fn new(
        run: SyncRun,
        store: &'a dyn Store,
        clock: &'a Clock,
        holder: String,
        deadline: Option<Instant>,
    ) -> Self {
        Self {
            run,
            holder,
            store,
            clock,
            deadline,
            steps_here: 0,
            slowest_step: Duration::ZERO,
        }
    }

    /// The run's checkpoint, created on first use.
    pub(super) fn checkpoint(&mut self) -> &mut SyncCheckpoint {
        self.run
            .checkpoint
            .get_or_insert_with(SyncCheckpoint::default)
    }

    /// Notes one page or push chunk written, which took `took`.
    pub(super) fn stepped(&mut self, took: Duration) {
        self.steps_here += 1;
        self.slowest_step = self.slowest_step.max(took);
    }

    /// Whether the run should pause before its next step: another step as slow as the slowest
    /// so far would end after the deadline. Every delivery takes at least one step, so a run
    /// always advances.
    pub(super) fn out_of_time(&self) -> bool {
        self.deadline.is_some_and(|deadline| {
            self.steps_here > 0 && Instant::now() + self.slowest_step >= deadline
        })
    }

    /// Writes the run as it is now.
    pub(super) async fn save(&mut self) -> Result<(), Failure> {
        self.run.updated_at = self.clock.now();
        self.store
            .put_sync_run(&self.run)
            .await
            .map_err(Failure::store)
    }

    /// Extends the lease; a lost lease stops the run before it writes anything else.
    pub(super) async fn renew_lease(&self, ttl: std::time::Duration) -> Result<(), Failure> {
        let renewed = self
            .store
            .acquire_lease(SYNC_LEASE, &self.holder, ttl, self.clock.now())
            .await
            .map_err(Failure::store)?;
        if renewed {
            Ok(())
        } else {
            Err(Failure::Transient(
                "the sync lease expired and another run took it".into(),
            ))
        }
    }

    pub(super) fn issue(&mut self, record_id: Option<&str>, code: &str, message: String) {
        self.run.issues.push(SyncIssue {
            record_id: record_id.map(str::to_owned),
            code: code.to_owned(),
            message,
        });
    }

    /// Records how the run ended and tells the queue what to do with the message.
    pub(super) async fn finish(
        mut self,
        result: Result<Ending, Failure>,
        attempt: Attempt,
    ) -> Result<(), JobError> {
        let outcome = match result {
            Ok(Ending::Completed) => {
                self.run.status = SyncStatus::Completed;
                Ok(())
            }
            Ok(Ending::Paused) => {
                // Stays RUNNING with its checkpoint; the continuation message carries it on.
                Ok(())
            }
            Ok(Ending::LimitReached(message)) => {
                self.run.status = SyncStatus::Completed;
                self.issue(None, "API_LIMIT_REACHED", message);
                Ok(())
            }
            Err(Failure::Transient(message)) if !attempt.is_last() => {
                // Stays RUNNING with its window; the next delivery carries on.
                tracing::warn!(%message, "sync run interrupted; it will be retried");
                Err(JobError::Transient {
                    message,
                    retry_after: None,
                })
            }
            Err(Failure::Transient(message)) => {
                self.run.status = SyncStatus::Failed;
                self.issue(
                    None,
                    "GAVE_UP",
                    format!("The sync failed on its last attempt: {message}"),
                );
                Err(JobError::Permanent(message))
            }
            Err(Failure::Permanent { code, message }) => {
                self.run.status = SyncStatus::Failed;
                self.issue(None, &code, message.clone());
                Err(JobError::Permanent(message))
            }
        };
        self.save().await.map_err(Failure::into_job_error)?;
        if self.run.status != SyncStatus::Running {
            expedite_core::metrics::sync_finished(&self.run);
        }
        tracing::info!(
            status = self.run.status.as_str(),
            pulled = self.run.pulled,
            deleted = self.run.deleted,
            pushed = self.run.pushed,
            pages = self.run.pages,
            continuations = self.run.continuations,
            issues = self.run.issues.len(),
            "sync run saved"
        );
        outcome
    }
}
