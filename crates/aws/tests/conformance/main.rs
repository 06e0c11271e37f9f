//! The AWS backends against the shared conformance suites, on moto's server.
//!
//! `scripts/test` starts moto on 127.0.0.1 and passes its URL in `EXPEDITE_TEST_MOTO_URL`.
//! Every test gets its own tables (created from `infra/template.yaml`) and its own queues.

mod calls;
mod cognito;
mod limits;
mod moto;
mod secrets;

use std::sync::Arc;

use expedite_aws::{DynamoStore, SqsQueue};
use expedite_core::{queue::Queue, store::Store};

async fn store() -> (Arc<dyn Store>, ()) {
    let config = moto::config().await;
    let tables = moto::create_tables(&config).await;
    (Arc::new(DynamoStore::new(&config, tables)), ())
}

async fn queue() -> (Arc<dyn Queue>, ()) {
    let config = moto::config().await;
    let (queue_url, dead_letter_url) = moto::create_queues(&config, 3).await;
    (
        Arc::new(SqsQueue::new(&config, queue_url, dead_letter_url, 3)),
        (),
    )
}

mod store_suite {
    expedite_test_support::store_conformance_tests!(super::store);
}

mod queue_suite {
    expedite_test_support::queue_conformance_tests!(super::queue);
}
