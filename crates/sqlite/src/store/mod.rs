//! The embedded store: every aggregate in the one SQLite file.

mod customers;
mod edits;
mod identity;
mod ops;
mod queries;
mod sync;
mod totals;

pub(crate) use queries::insert_query;
pub(crate) use sync::write_sync_run;

use async_trait::async_trait;
use expedite_core::store::{Store, StoreError};

use crate::Database;

/// The store port over the embedded database.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    db: Database,
}

impl SqliteStore {
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(unavailable)
    }

    fn backend_name(&self) -> &'static str {
        "SQLite"
    }
}

pub(crate) fn unavailable(error: sqlx::Error) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
