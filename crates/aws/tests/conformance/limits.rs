//! DynamoDB's batch limits are enforced by our code, not by the emulator (moto accepts more):
//! an interceptor records every batch the store sends.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::{
    config::{ConfigBag, Intercept, interceptors::BeforeSerializationInterceptorContextRef},
    error::BoxError,
    operation::{batch_get_item::BatchGetItemInput, batch_write_item::BatchWriteItemInput},
};
use expedite_aws::DynamoStore;
use expedite_core::store::CustomerStore;
use expedite_test_support::conformance::{T0, customer};

#[derive(Debug, Default, Clone)]
struct BatchSizes {
    writes: Arc<Mutex<Vec<usize>>>,
    gets: Arc<Mutex<Vec<usize>>>,
}

impl Intercept for BatchSizes {
    fn name(&self) -> &'static str {
        "BatchSizes"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(input) = context.input().downcast_ref::<BatchWriteItemInput>() {
            let items = input
                .request_items()
                .map_or(0, |tables| tables.values().map(Vec::len).sum());
            self.writes.lock().unwrap().push(items);
        }
        if let Some(input) = context.input().downcast_ref::<BatchGetItemInput>() {
            let keys = input
                .request_items()
                .map_or(0, |tables| tables.values().map(|k| k.keys().len()).sum());
            self.gets.lock().unwrap().push(keys);
        }
        Ok(())
    }
}

#[tokio::test]
async fn batch_calls_stay_within_dynamodb_limits() {
    let config = crate::moto::config().await;
    let tables = crate::moto::create_tables(&config).await;
    let sizes = BatchSizes::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .interceptor(sizes.clone())
            .build(),
    );
    let store = DynamoStore::with_client(client, tables);

    let batch: Vec<_> = (1..=260)
        .map(|n| customer(n, &format!("Limit {n}"), T0))
        .collect();
    let report = store.upsert_customers(&batch).await.unwrap();
    assert_eq!(report.written, 260);

    let writes = sizes.writes.lock().unwrap().clone();
    let gets = sizes.gets.lock().unwrap().clone();
    assert!(
        writes.iter().all(|&n| (1..=25).contains(&n)),
        "BatchWriteItem sizes {writes:?}"
    );
    assert_eq!(writes.iter().sum::<usize>(), 260);
    assert!(
        gets.iter().all(|&n| (1..=100).contains(&n)),
        "BatchGetItem sizes {gets:?}"
    );
    assert_eq!(gets.len(), 3, "260 keys in reads of at most 100");
}
