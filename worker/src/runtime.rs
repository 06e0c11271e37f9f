//! The backends a process runs on, chosen from configuration at run time.

use std::sync::Arc;

use anyhow::Context;
use expedite_core::{Config, Services, queue::Queue};
use expedite_sqlite::{Database, SqliteQueue};

/// Name of the queue that carries AI queries and syncs.
pub const JOBS_QUEUE: &str = "jobs";

/// Deliveries before a job message is dead-lettered (SQS `maxReceiveCount` on AWS).
pub const MAX_RECEIVES: u32 = 5;

/// Everything the use-cases and the worker loop need, wired together.
#[derive(Clone)]
pub struct Runtime {
    pub services: Services,
    pub database: Database,
    pub queue: Arc<dyn Queue>,
}

impl Runtime {
    /// Opens the embedded database in the data directory and builds the services over it.
    pub async fn embedded(config: Config) -> anyhow::Result<Self> {
        let database = Database::open(&config.data_dir)
            .await
            .with_context(|| format!("opening the database in {}", config.data_dir.display()))?;
        let queue: Arc<dyn Queue> =
            Arc::new(SqliteQueue::new(database.clone(), JOBS_QUEUE, MAX_RECEIVES));
        Ok(Self {
            services: Services::new(config),
            database,
            queue,
        })
    }
}
