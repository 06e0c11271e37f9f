//! The intake port: new work is recorded together with the job that will do it, so that
//! nothing acknowledged to a client is left without a job.
//!
//! Two ways to keep that promise, one per kind of backend:
//! - the embedded store and queue share one SQLite file, so the record and its job are written
//!   in one transaction (`expedite_sqlite::SqliteIntake`): both exist or neither;
//! - DynamoDB and SQS share no transaction, so [`SaveThenSend`] saves, then sends, and answers
//!   the client only after the send. A request that died in between left a QUEUED record that
//!   was never acknowledged; a retry with the same `Idempotency-Key` sends its job again, and the
//!   sweep ([`Services::requeue_stranded`](crate::Services)) queues whatever is still QUEUED
//!   past a bound. A duplicate job is harmless: a delivery claims a query by its attempt count
//!   and leaves one that a live delivery holds alone.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use expedite_domain::{AiQuery, QueryStatus, SyncRun};

use crate::{
    jobs::Job,
    queue::{Queue, QueueError},
    store::{Created, NewQuery, Store, StoreError},
};

/// Why new work could not be recorded or queued.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Records new work with its job.
#[async_trait]
pub trait Intake: Send + Sync {
    /// Stores a new query and queues its [`Job::AiQuery`]. A reused idempotency key returns the
    /// first query, whose job is queued (again, where the backend cannot tell).
    async fn submit_query(&self, new: NewQuery) -> Result<Created<AiQuery>, IntakeError>;

    /// Stores a QUEUED sync run and queues its [`Job::SalesforceSync`].
    async fn submit_sync(&self, run: &SyncRun) -> Result<(), IntakeError>;

    /// Queues `job` for work found QUEUED past the sweep's bound. `false` when the backend
    /// knows that a message for it is still waiting or in flight, so none was sent.
    async fn requeue(&self, job: &Job) -> Result<bool, IntakeError>;
}

/// The job that answers `query`.
pub fn query_job(query: &AiQuery) -> Job {
    Job::AiQuery {
        query_id: query.id.to_string(),
    }
}

/// The job that runs the sync run `run`.
pub fn sync_job(run: &SyncRun) -> Job {
    Job::SalesforceSync {
        sync_id: run.id.to_string(),
        step: run.continuations,
    }
}

/// Save, then send: for a store and a queue that share no transaction.
#[derive(Clone)]
pub struct SaveThenSend {
    store: Arc<dyn Store>,
    queue: Arc<dyn Queue>,
}

impl SaveThenSend {
    pub fn new(store: Arc<dyn Store>, queue: Arc<dyn Queue>) -> Self {
        Self { store, queue }
    }

    async fn send(&self, job: &Job) -> Result<(), IntakeError> {
        Ok(self.queue.send(&job.to_body(), Duration::ZERO).await?)
    }
}

#[async_trait]
impl Intake for SaveThenSend {
    async fn submit_query(&self, new: NewQuery) -> Result<Created<AiQuery>, IntakeError> {
        let created = self.store.create_query(new).await?;
        match &created {
            Created::New(query) => self.send(&query_job(query)).await?,
            // The first request may have stopped between its save and its send: a query that
            // was never tried may have no job, so it gets one.
            Created::Existing(query)
                if query.status == QueryStatus::Queued && query.attempts == 0 =>
            {
                self.send(&query_job(query)).await?
            }
            Created::Existing(_) => {}
        }
        Ok(created)
    }

    async fn submit_sync(&self, run: &SyncRun) -> Result<(), IntakeError> {
        self.store.put_sync_run(run).await?;
        self.send(&sync_job(run)).await
    }

    async fn requeue(&self, job: &Job) -> Result<bool, IntakeError> {
        self.send(job).await?;
        Ok(true)
    }
}
