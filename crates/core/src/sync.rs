//! The Salesforce sync port: what the use-cases ask of the engine that talks to Salesforce.
//!
//! The engine (`expedite-salesforce`) owns the wire protocol and the rules of the incremental
//! sync (window, watermark, lease, deletes, pushes, checkpoints). The use-cases own who may
//! start a run and how it reaches the worker: they store the run as QUEUED and hand its id to
//! [`SyncEngine::run`], with a way to queue the run's next part when it must pause.

use async_trait::async_trait;
use expedite_domain::SyncId;

use crate::jobs::{Attempt, JobError};

/// Queues the message that carries a paused run on in a later delivery.
#[async_trait]
pub trait Continuations: Send + Sync {
    /// Queues step `step` of run `id` (see [`crate::jobs::Job::SalesforceSync`]).
    async fn queue_continuation(&self, id: &SyncId, step: u32) -> Result<(), JobError>;
}

/// Runs one stored sync run to its end, over as many deliveries as it takes.
#[async_trait]
pub trait SyncEngine: Send + Sync {
    /// Runs the sync run `id`, which the caller stored as QUEUED (kind MANUAL: pull and push;
    /// kind SCHEDULED: pull only), from the message numbered `step`. The engine takes the sync
    /// lease; when another run holds it the run ends SKIPPED. Progress, counts, the checkpoint
    /// and per-record issues are written to the run after every page, and the run always ends
    /// COMPLETED, FAILED or SKIPPED: on the last delivery (`attempt.is_last()`) a run that
    /// cannot finish is marked FAILED instead of returning [`JobError::Transient`].
    ///
    /// When `attempt.deadline` would pass before the next page, the run pauses: it releases
    /// the lease, queues step `step + 1` through `continuations` and returns `Ok`; that
    /// message resumes from the checkpoint. A message whose step is older than the run's
    /// count of continuations was superseded and does nothing.
    async fn run(
        &self,
        id: &SyncId,
        step: u32,
        attempt: Attempt,
        continuations: &dyn Continuations,
    ) -> Result<(), JobError>;
}

/// For deliveries without a deadline, where a run never pauses (benchmarks, direct runs).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoContinuations;

#[async_trait]
impl Continuations for NoContinuations {
    async fn queue_continuation(&self, id: &SyncId, _: u32) -> Result<(), JobError> {
        Err(JobError::Permanent(format!(
            "sync run {id} paused, but nothing can continue it here"
        )))
    }
}
