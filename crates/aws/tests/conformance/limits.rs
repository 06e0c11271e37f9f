//! DynamoDB's batch and transaction limits are enforced by our code, not by the emulator (moto
//! accepts more): an interceptor records every batch and transaction the store sends.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::{
    config::{ConfigBag, Intercept, interceptors::BeforeSerializationInterceptorContextRef},
    error::BoxError,
    operation::{batch_get_item::BatchGetItemInput, transact_write_items::TransactWriteItemsInput},
};
use expedite_aws::DynamoStore;
use expedite_core::store::CustomerStore;
use expedite_test_support::conformance::{T0, customer};

#[derive(Debug, Default, Clone)]
struct BatchSizes {
    /// Per transaction: its actions, its puts, and its longest expression.
    writes: Arc<Mutex<Vec<(usize, usize, usize)>>>,
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
        if let Some(input) = context.input().downcast_ref::<TransactWriteItemsInput>() {
            let items = input.transact_items();
            let puts = items.iter().filter(|item| item.put().is_some()).count();
            let longest = items
                .iter()
                .filter_map(|item| item.update())
                .map(|update| update.update_expression().len())
                .max()
                .unwrap_or(0);
            self.writes
                .lock()
                .unwrap()
                .push((items.len(), puts, longest));
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
        writes
            .iter()
            .all(|&(actions, _, longest)| (1..=100).contains(&actions) && longest <= 4096),
        "TransactWriteItems sizes (actions, puts, longest expression) {writes:?}"
    );
    assert_eq!(writes.iter().map(|w| w.1).sum::<usize>(), 260);
    assert!(
        gets.iter().all(|&n| (1..=100).contains(&n)),
        "BatchGetItem sizes {gets:?}"
    );
    assert_eq!(gets.iter().sum::<usize>(), 260, "each key read once");
}
