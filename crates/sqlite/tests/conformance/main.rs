//! The embedded backends against the shared conformance suites, plus what only they promise.

mod durability;

use std::sync::Arc;

use expedite_core::{
    queue::Queue,
    store::{IdentityStore, Store},
};
use expedite_sqlite::{Database, SqliteQueue, SqliteStore};
use tempfile::TempDir;

async fn store() -> (Arc<dyn Store>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).await.unwrap();
    (Arc::new(SqliteStore::new(db)), dir)
}

async fn accounts() -> (Arc<dyn IdentityStore>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).await.unwrap();
    (Arc::new(SqliteStore::new(db)), dir)
}

async fn queue() -> (Arc<dyn Queue>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).await.unwrap();
    (Arc::new(SqliteQueue::new(db, "conformance", 3)), dir)
}

mod store_suite {
    expedite_test_support::store_conformance_tests!(super::store);
}

mod identity_suite {
    expedite_test_support::identity_conformance_tests!(super::accounts);
}

mod queue_suite {
    expedite_test_support::queue_conformance_tests!(super::queue);
}
