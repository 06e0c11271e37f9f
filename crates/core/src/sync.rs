//! The Salesforce sync port: what the use-cases ask of the engine that talks to Salesforce.
//!
//! The engine (`expedite-salesforce`) owns the wire protocol and the rules of the incremental
//! sync (window, watermark, lease, deletes, pushes). The use-cases own who may start a run and
//! how it reaches the worker: they store the run as QUEUED and hand its id to [`SyncEngine::run`].

use async_trait::async_trait;
use expedite_domain::SyncId;

use crate::jobs::{Attempt, JobError};

/// Runs one stored sync run to its end.
#[async_trait]
pub trait SyncEngine: Send + Sync {
    /// Runs the sync run `id`, which the caller stored as QUEUED (kind MANUAL: pull and push;
    /// kind SCHEDULED: pull only). The engine takes the sync lease; when another run holds it
    /// the run ends SKIPPED. Progress, counts and per-record issues are written to the run as it
    /// goes, and the run always ends COMPLETED, FAILED or SKIPPED: on the last delivery
    /// (`attempt.is_last()`) a run that cannot finish is marked FAILED instead of returning
    /// [`JobError::Transient`].
    async fn run(&self, id: &SyncId, attempt: Attempt) -> Result<(), JobError>;
}
