//! The Salesforce sync use-cases: start a manual run, the scheduled poll, and reading runs.
//! The work itself is the [`SyncEngine`](crate::sync::SyncEngine)'s.

use expedite_domain::{Page, PageRequest, SyncId, SyncKind, SyncRun};

use crate::{
    AccessError, Services,
    identity::Caller,
    intake::IntakeError,
    jobs::{Attempt, Job, JobError},
    metrics,
    store::StoreError,
    sync::Continuations,
};

/// Why a sync use-case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("There is no sync run with this id.")]
    NotFound,
    #[error("Salesforce is not configured for this deployment.")]
    NotConfigured,
    #[error("The sync could not be queued right now; please try again.")]
    NotQueued,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Services {
    /// Records a manual sync (pull and push) for the worker to run. Administrators only.
    pub async fn request_sync(&self, caller: &Caller) -> Result<SyncRun, SyncError> {
        caller.require_admin()?;
        // A server that leaves jobs to the worker holds no engine but knows one exists there.
        if !self.salesforce_configured() {
            return Err(SyncError::NotConfigured);
        }
        let run = SyncRun::queued(
            new_sync_id(),
            SyncKind::Manual,
            Some(caller.user_id.clone()),
            self.now(),
        );
        match self.intake().submit_sync(&run).await {
            Ok(()) => {
                tracing::info!(sync.id = %run.id, "manual sync requested");
                Ok(run)
            }
            Err(IntakeError::Store(error)) => Err(error.into()),
            // The run may be saved without its job: it stays QUEUED and the sweep queues it.
            Err(IntakeError::Queue(error)) => {
                tracing::error!(%error, sync.id = %run.id, "could not queue a manual sync");
                Err(SyncError::NotQueued)
            }
        }
    }

    /// Sync runs, newest first. Administrators only.
    pub async fn sync_runs(
        &self,
        caller: &Caller,
        page: &PageRequest,
    ) -> Result<Page<SyncRun>, SyncError> {
        caller.require_admin()?;
        Ok(self.store().list_sync_runs(page).await?)
    }

    /// One sync run. Administrators only.
    pub async fn sync_run(&self, caller: &Caller, id: &str) -> Result<SyncRun, SyncError> {
        caller.require_admin()?;
        let id = SyncId::parse(id).map_err(|_| SyncError::NotFound)?;
        self.store()
            .get_sync_run(&id)
            .await?
            .ok_or(SyncError::NotFound)
    }

    /// The sync job (manual or scheduled), from the message numbered `step`.
    pub(crate) async fn run_sync(
        &self,
        id: &str,
        step: u32,
        attempt: Attempt,
    ) -> Result<(), JobError> {
        let id =
            SyncId::parse(id).map_err(|_| JobError::Permanent(format!("bad sync id {id:?}")))?;
        let Some(engine) = self.sync_engine() else {
            return Err(JobError::Permanent(
                "Salesforce is not configured".to_owned(),
            ));
        };
        engine.run(&id, step, attempt, self).await
    }

    /// The scheduled poll: sweeps stranded and dead-lettered work, then records a SCHEDULED run
    /// (pull only) and queues it as its own job, so a redelivered run resumes the run it
    /// started instead of starting another. Without Salesforce there is nothing to poll.
    pub(crate) async fn scheduled_poll(&self) -> Result<(), JobError> {
        self.requeue_stranded().await;
        self.settle_dead_letters().await;
        if self.sync_engine().is_none() {
            tracing::debug!("no Salesforce configured; scheduled poll skipped");
            return Ok(());
        }
        let run = SyncRun::queued(new_sync_id(), SyncKind::Scheduled, None, self.now());
        self.intake()
            .submit_sync(&run)
            .await
            .map_err(JobError::transient)?;
        tracing::info!(sync.id = %run.id, "scheduled sync queued");
        Ok(())
    }
}

/// A paused run goes on in a new message on the job queue.
#[async_trait::async_trait]
impl Continuations for Services {
    async fn queue_continuation(&self, id: &SyncId, step: u32) -> Result<(), JobError> {
        let job = Job::SalesforceSync {
            sync_id: id.to_string(),
            step,
        };
        self.queue()
            .send(&job.to_body(), std::time::Duration::ZERO)
            .await
            .map_err(JobError::transient)?;
        tracing::info!(sync.id = %id, step, "sync run continues in a new message");
        metrics::sync_continued();
        Ok(())
    }
}

fn new_sync_id() -> SyncId {
    SyncId::parse(uuid::Uuid::new_v4().to_string()).expect("a uuid is a sync id")
}
