//! The sync engine: pulls changed Accounts into the customer store and, on manual runs, pushes
//! local edits back. Implements the core [`SyncEngine`] port.
//!
//! One run, in order: take the lease `salesforce-sync` (held by someone else → SKIPPED); fix
//! the window (see [`Window::at`]); sign in, keeping the org's instance URL on the run; page
//! through `queryAll` over the window, upserting each page as it arrives, saving the
//! checkpoint (the last record written) and renewing the lease; advance the watermark to the
//! window's upper bound only when every page was written; on manual runs push pending edits;
//! release the lease.
//!
//! A run may span deliveries. When the delivery has a deadline (a Lambda invocation) and the
//! next page would likely end after it, the run pauses: the checkpoint is already saved, the
//! lease is released and a continuation message is queued; the next delivery keeps the window
//! and reads on after the checkpoint (`SystemModstamp > m OR (SystemModstamp = m AND Id > id)`,
//! the window's own order), or goes on with the push after the last customer it handled.
//!
//! Decisions:
//! - **API limit**: `REQUEST_LIMIT_EXCEEDED`, or usage at or above the stop threshold, ends the
//!   run COMPLETED with an `API_LIMIT_REACHED` issue and the watermark unchanged. Nothing is
//!   wrong with the data and retrying the job would only spend more of the allowance; the next
//!   scheduled run resumes from the kept watermark.
//! - **Conflicts** (see `conflicts`): the last writer by time wins. A local edit older than
//!   the Account's `SystemModstamp` — as pulled, and as Salesforce reports it just before the
//!   push — is dropped and reported as a `CONFLICT` issue.
//! - **Refusals** (see `push`): a record, or a whole chunk, Salesforce refuses becomes issues
//!   and stays pending; it never fails the run.

mod conflicts;
mod progress;
mod pull;
mod push;
mod window;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use expedite_core::{
    jobs::{Attempt, JobError},
    store::Store,
    sync::{Continuations, SyncEngine},
};
use expedite_domain::{SyncId, SyncIssue, SyncKind, SyncStatus, Timestamp};

use crate::SalesforceClient;
use progress::{Failure, Progress};
pub use window::Window;

/// The name of the lease that keeps syncs from overlapping.
pub const SYNC_LEASE: &str = "salesforce-sync";
/// The object whose watermark the sync keeps.
pub const SYNC_OBJECT: &str = "Account";

/// Where the engine reads the time (windows, leases, run stamps); tests pass the sandbox's.
pub type Clock = Arc<dyn expedite_core::clock::Clock>;

/// How runs behave; [`Default`] holds the recommended values.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncSettings {
    /// How far before the watermark each run starts reading again (late-visible records).
    pub lookback: Duration,
    /// How far before "now" each run stops reading (records still becoming visible).
    pub settle: Duration,
    /// Records per query page asked of Salesforce (200–2000).
    pub batch_size: u32,
    /// The share of the daily API allowance (0.0–1.0) at which a run stops cleanly.
    pub usage_stop: f64,
    /// How long the lease lasts without renewal; renewed after every page.
    pub lease_ttl: Duration,
    /// How often one run restarts its window after an expired session or query cursor.
    pub max_restarts: u32,
    /// How long Salesforce keeps deleted rows; an older watermark forces a full pull.
    pub delete_retention: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            lookback: Duration::from_secs(10 * 60),
            settle: Duration::from_secs(2 * 60),
            batch_size: 2000,
            usage_stop: 0.9,
            lease_ttl: Duration::from_secs(5 * 60),
            max_restarts: 3,
            delete_retention: Duration::from_secs(15 * 24 * 3600),
        }
    }
}

/// The Salesforce sync engine over a client, the store and a clock.
#[derive(Clone)]
pub struct SalesforceSync {
    client: SalesforceClient,
    store: Arc<dyn Store>,
    settings: SyncSettings,
    clock: Clock,
}

impl std::fmt::Debug for SalesforceSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceSync")
            .field("client", &self.client)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// How a delivery of a run that did not fail ended.
enum Ending {
    Completed,
    /// Stopped cleanly at the API limit; the watermark was kept.
    LimitReached(String),
    /// The delivery's time is nearly up: the checkpoint is saved and the run goes on in the
    /// next message.
    Paused,
}

impl SalesforceSync {
    pub fn new(
        client: SalesforceClient,
        store: Arc<dyn Store>,
        settings: SyncSettings,
        clock: Clock,
    ) -> Self {
        Self {
            client,
            store,
            settings,
            clock,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Everything between taking and releasing the lease.
    async fn run_leased(&self, progress: &mut Progress<'_>) -> Result<Ending, Failure> {
        let window = match (progress.run.status, progress.run.window_end) {
            // A redelivered run keeps the window it started with.
            (SyncStatus::Running, Some(upper)) => Window {
                lower: progress.run.window_start,
                upper,
            },
            _ => {
                let watermark = self
                    .store
                    .watermark(SYNC_OBJECT)
                    .await
                    .map_err(Failure::store)?;
                let s = &self.settings;
                Window::at(
                    watermark,
                    self.now(),
                    s.lookback,
                    s.settle,
                    s.delete_retention,
                )
            }
        };
        // Usage reported before this run may be hours old; the first answer refreshes it.
        self.client.forget_api_usage();
        progress.run.status = SyncStatus::Running;
        progress.run.window_start = window.lower;
        progress.run.window_end = Some(window.upper);
        progress.save().await?;
        tracing::info!(window.lower = ?window.lower, window.upper = %window.upper, "sync window fixed");
        self.note_instance_url(progress).await?;

        let pull_done = progress
            .run
            .checkpoint
            .as_ref()
            .is_some_and(|c| c.pull_done);
        if !pull_done {
            match self.pull(progress, window).await? {
                Ending::Completed => {}
                stopped => return Ok(stopped),
            }
            self.advance_watermark(window).await?;
            progress.checkpoint().pull_done = true;
            progress.save().await?;
        }
        if progress.run.kind == SyncKind::Manual {
            return self.push(progress).await;
        }
        Ok(Ending::Completed)
    }

    /// The whole window is written: the watermark becomes its upper bound, never backwards
    /// (a window may have been computed from an older watermark).
    async fn advance_watermark(&self, window: Window) -> Result<(), Failure> {
        let previous = self
            .store
            .watermark(SYNC_OBJECT)
            .await
            .map_err(Failure::store)?;
        if previous.is_none_or(|mark| mark < window.upper) {
            self.store
                .set_watermark(SYNC_OBJECT, window.upper)
                .await
                .map_err(Failure::store)?;
        }
        Ok(())
    }

    /// Queues the message that resumes the paused run and counts the continuation; when the
    /// message cannot be sent, this delivery is retried and resumes from the same checkpoint.
    async fn continue_later(
        &self,
        progress: &mut Progress<'_>,
        continuations: &dyn Continuations,
    ) -> Result<Ending, Failure> {
        let next = progress.run.continuations + 1;
        continuations
            .queue_continuation(&progress.run.id, next)
            .await
            .map_err(|error| Failure::Transient(format!("queueing the continuation: {error}")))?;
        progress.run.continuations = next;
        tracing::info!(
            step = next,
            pages = progress.run.pages,
            pulled = progress.run.pulled,
            "sync run paused at the end of its time budget"
        );
        Ok(Ending::Paused)
    }
}

#[async_trait]
impl SyncEngine for SalesforceSync {
    #[tracing::instrument(skip_all, fields(sync.id = %id, attempt = attempt.receive_count))]
    async fn run(
        &self,
        id: &SyncId,
        step: u32,
        attempt: Attempt,
        continuations: &dyn Continuations,
    ) -> Result<(), JobError> {
        let run = self
            .store
            .get_sync_run(id)
            .await
            .map_err(|e| Failure::store(e).into_job_error())?
            .ok_or_else(|| JobError::Permanent(format!("sync run {id} does not exist")))?;
        if matches!(
            run.status,
            SyncStatus::Completed | SyncStatus::Failed | SyncStatus::Skipped
        ) {
            tracing::info!(status = run.status.as_str(), "sync run already finished");
            return Ok(());
        }
        if step < run.continuations {
            // A later message carries the run on (this one was redelivered after it paused).
            tracing::info!(
                step,
                continuations = run.continuations,
                "superseded sync message"
            );
            return Ok(());
        }
        // One holder per delivery: a redelivery while the first is still working must wait.
        let holder = format!("{id}#{step}.{}", attempt.receive_count);
        let mut progress = Progress::new(run, &*self.store, &self.clock, holder, attempt.deadline);
        let acquired = self
            .store
            .acquire_lease(
                SYNC_LEASE,
                &progress.holder,
                self.settings.lease_ttl,
                self.now(),
            )
            .await
            .map_err(|e| Failure::store(e).into_job_error())?;
        if !acquired {
            return self.lease_taken(progress, attempt).await;
        }
        let result = self.run_leased(&mut progress).await;
        if let Err(error) = self.store.release_lease(SYNC_LEASE, &progress.holder).await {
            // It expires on its own; the next run waits at most its time to live.
            tracing::warn!(%error, "could not release the sync lease");
        }
        // Released first, so that the continuation finds the lease free.
        let result = match result {
            Ok(Ending::Paused) => self.continue_later(&mut progress, continuations).await,
            other => other,
        };
        progress.finish(result, attempt).await
    }
}

impl SalesforceSync {
    /// Another holder has the lease: a new run is SKIPPED; a redelivered RUNNING run waits for
    /// the delivery that is still working on it (and is FAILED on the last delivery).
    async fn lease_taken(
        &self,
        mut progress: Progress<'_>,
        attempt: Attempt,
    ) -> Result<(), JobError> {
        if progress.run.status == SyncStatus::Running {
            let message = "an earlier delivery of this run still holds the sync lease";
            return progress
                .finish(Err(Failure::Transient(message.into())), attempt)
                .await;
        }
        tracing::info!("another sync holds the lease; skipping");
        progress.run.status = SyncStatus::Skipped;
        progress.run.issues.push(SyncIssue {
            record_id: None,
            code: "SYNC_IN_PROGRESS".into(),
            message: "Another Salesforce sync was running, so this run was skipped; \
                      the next run picks up its changes."
                .into(),
        });
        progress.save().await.map_err(Failure::into_job_error)?;
        expedite_core::metrics::sync_finished(&progress.run);
        Ok(())
    }
}
