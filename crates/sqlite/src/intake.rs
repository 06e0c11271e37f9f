//! The intake over the embedded store and queue: a record and its job in one transaction.

use async_trait::async_trait;
use expedite_core::{
    intake::{Intake, IntakeError, query_job, sync_job},
    jobs::Job,
    queue::QueueError,
    store::{Created, NewQuery, StoreError},
};
use expedite_domain::{AiQuery, SyncRun};

use crate::{SqliteQueue, store};

/// Writes new queries and sync runs with their jobs atomically: the queue lives in the same
/// SQLite file as the store, so either both exist or neither.
#[derive(Debug, Clone)]
pub struct SqliteIntake {
    queue: SqliteQueue,
}

impl SqliteIntake {
    /// Records go to the store in `queue`'s database, jobs to `queue`.
    pub fn new(queue: SqliteQueue) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl Intake for SqliteIntake {
    async fn submit_query(&self, new: NewQuery) -> Result<Created<AiQuery>, IntakeError> {
        let mut tx = begin(&self.queue).await?;
        let created = store::insert_query(&mut tx, &new).await?;
        if let Created::New(query) = &created {
            self.queue
                .insert(
                    &mut *tx,
                    &query_job(query).to_body(),
                    std::time::Duration::ZERO,
                )
                .await
                .map_err(queue_error)?;
        }
        tx.commit().await.map_err(store_error)?;
        self.queue.woken();
        Ok(created)
    }

    async fn submit_sync(&self, run: &SyncRun) -> Result<(), IntakeError> {
        let mut tx = begin(&self.queue).await?;
        store::write_sync_run(&mut *tx, run).await?;
        self.queue
            .insert(
                &mut *tx,
                &sync_job(run).to_body(),
                std::time::Duration::ZERO,
            )
            .await
            .map_err(queue_error)?;
        tx.commit().await.map_err(store_error)?;
        self.queue.woken();
        Ok(())
    }

    async fn requeue(&self, job: &Job) -> Result<bool, IntakeError> {
        let sent = self
            .queue
            .insert_unless_pending(&job.to_body())
            .await
            .map_err(queue_error)?;
        if sent {
            self.queue.woken();
        }
        Ok(sent)
    }
}

async fn begin(
    queue: &SqliteQueue,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, IntakeError> {
    queue.database().pool().begin().await.map_err(store_error)
}

fn store_error(error: sqlx::Error) -> IntakeError {
    IntakeError::Store(StoreError::Unavailable(error.to_string()))
}

fn queue_error(error: sqlx::Error) -> IntakeError {
    IntakeError::Queue(QueueError::Unavailable(error.to_string()))
}
