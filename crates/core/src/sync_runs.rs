//! The Salesforce sync use-cases: start a manual run, the scheduled poll, and reading runs.
//! The work itself is the [`SyncEngine`](crate::sync::SyncEngine)'s.

use std::time::Duration;

use expedite_domain::{Page, PageRequest, SyncId, SyncKind, SyncRun, SyncStatus};

use crate::{
    AccessError, Services, clock,
    identity::Caller,
    jobs::{Attempt, Job, JobError},
    services::require_admin,
    store::StoreError,
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
        require_admin(caller)?;
        if self.sync_engine().is_none() {
            return Err(SyncError::NotConfigured);
        }
        let run = new_run(SyncKind::Manual, Some(caller));
        self.store().put_sync_run(&run).await?;
        let job = Job::SalesforceSync {
            sync_id: run.id.to_string(),
        };
        if let Err(error) = self.queue().send(&job.to_body(), Duration::ZERO).await {
            tracing::error!(%error, sync.id = %run.id, "could not queue a manual sync");
            let mut failed = run;
            failed.status = SyncStatus::Failed;
            failed
                .issues
                .push(issue("NOT_QUEUED", "The sync could not be queued."));
            failed.updated_at = clock::now();
            self.store().put_sync_run(&failed).await?;
            return Err(SyncError::NotQueued);
        }
        tracing::info!(sync.id = %run.id, "manual sync requested");
        Ok(run)
    }

    /// Sync runs, newest first. Administrators only.
    pub async fn sync_runs(
        &self,
        caller: &Caller,
        page: &PageRequest,
    ) -> Result<Page<SyncRun>, SyncError> {
        require_admin(caller)?;
        Ok(self.store().list_sync_runs(page).await?)
    }

    /// One sync run. Administrators only.
    pub async fn sync_run(&self, caller: &Caller, id: &str) -> Result<SyncRun, SyncError> {
        require_admin(caller)?;
        let id = SyncId::parse(id).map_err(|_| SyncError::NotFound)?;
        self.store()
            .get_sync_run(&id)
            .await?
            .ok_or(SyncError::NotFound)
    }

    /// The manual-sync job.
    pub(crate) async fn run_sync(&self, id: &str, attempt: Attempt) -> Result<(), JobError> {
        let id =
            SyncId::parse(id).map_err(|_| JobError::Permanent(format!("bad sync id {id:?}")))?;
        let Some(engine) = self.sync_engine() else {
            return Err(JobError::Permanent(
                "Salesforce is not configured".to_owned(),
            ));
        };
        engine.run(&id, attempt).await
    }

    /// The scheduled poll: settles dead-lettered queries, then records a SCHEDULED run and runs
    /// it at once (pull only). Without Salesforce configured there is nothing to poll.
    pub(crate) async fn scheduled_poll(&self, attempt: Attempt) -> Result<(), JobError> {
        self.fail_dead_lettered_queries().await;
        let Some(engine) = self.sync_engine() else {
            tracing::debug!("no Salesforce configured; scheduled poll skipped");
            return Ok(());
        };
        let run = new_run(SyncKind::Scheduled, None);
        self.store()
            .put_sync_run(&run)
            .await
            .map_err(|error| JobError::Transient {
                message: error.to_string(),
                retry_after: None,
            })?;
        engine.run(&run.id, attempt).await
    }
}

fn new_run(kind: SyncKind, caller: Option<&Caller>) -> SyncRun {
    let now = clock::now();
    SyncRun {
        id: SyncId::parse(uuid::Uuid::new_v4().to_string()).expect("a uuid is a sync id"),
        kind,
        status: SyncStatus::Queued,
        triggered_by: caller.map(|caller| caller.user_id.clone()),
        window_start: None,
        window_end: None,
        pulled: 0,
        pushed: 0,
        deleted: 0,
        issues: Vec::new(),
        created_at: now,
        updated_at: now,
    }
}

fn issue(code: &str, message: &str) -> expedite_domain::SyncIssue {
    expedite_domain::SyncIssue {
        record_id: None,
        code: code.to_owned(),
        message: message.to_owned(),
    }
}
