//! The store port on DynamoDB: three tables designed from the access patterns. People sign in
//! with Cognito on AWS, so the built-in provider's accounts have no table here.
//!
//! - queries: `pk = Q#<id>` (by id); GSI `by_owner` (`owner`, `created_sk`) for history newest
//!   first; sparse GSI `queued` (`queued`, `due_sk`) holds only QUEUED queries, by when they are
//!   due, for the sweep; `pk = IDEM#<owner>#<key>` items remember idempotency keys (with a TTL).
//! - customers: `id` (by Salesforce id); sparse GSIs `by_name`, `by_revenue`, `by_modified` on
//!   (`live`, `*_sk`): only live (not deleted) customers carry `live`, so listings skip deleted.
//!   Every write keeps the rollup (`ROLLUP#customers#…` items of the sync table, see
//!   `rollup.rs`) in the same transaction, so totals and breakdowns are read, not scanned.
//! - sync: `pk = RUN#<id>` with GSI `by_created` (`run_pk`, `created_sk`) for newest first,
//!   `WATERMARK#<object>` and `LEASE#<name>` items; `EDIT#<customer id>` items hold local edits
//!   waiting for a push, listed through `by_created` under `run_pk = EDIT`; `OPS#<hour>` items
//!   hold the Operations page's per-hour rollups (`ops.rs`), dropped by the TTL `purge_at`.
//!
//! Sort keys end in `\u{1}<id>` so that ties break by id exactly as the SQLite backend does.

mod attr;
mod conditions;
mod customers;
mod edits;
mod ops;
mod queries;
mod rollup;
mod sync;
mod upsert;

use async_trait::async_trait;
use aws_sdk_dynamodb::{Client, error::SdkError};
use expedite_core::store::{Store, StoreError};

/// The index names; `infra/template.yaml` declares the same.
pub mod indexes {
    pub const QUERIES_BY_OWNER: &str = "by_owner";
    /// Sparse: only QUEUED queries carry its keys (`queued`, `due_sk`).
    pub const QUERIES_QUEUED: &str = "queued";
    pub const CUSTOMERS_BY_NAME: &str = "by_name";
    pub const CUSTOMERS_BY_REVENUE: &str = "by_revenue";
    pub const CUSTOMERS_BY_MODIFIED: &str = "by_modified";
    pub const SYNC_RUNS_BY_CREATED: &str = "by_created";
}

/// The physical table names (CloudFormation generates them; configuration passes them in).
#[derive(Debug, Clone)]
pub struct TableNames {
    pub queries: String,
    pub customers: String,
    pub sync: String,
}

/// The store port over DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    tables: TableNames,
}

impl DynamoStore {
    pub fn new(config: &aws_config::SdkConfig, tables: TableNames) -> Self {
        Self::with_client(crate::calls::client!(aws_sdk_dynamodb, config), tables)
    }

    /// Over a client built elsewhere (e.g. with interceptors).
    pub fn with_client(client: Client, tables: TableNames) -> Self {
        Self { client, tables }
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.tables.queries)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "DynamoDB"
    }
}

/// Any SDK failure as a store failure, with the service's own message.
pub(crate) fn unavailable<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError::Unavailable(format!(
        "{}",
        aws_sdk_dynamodb::error::DisplayErrorContext(&error)
    ))
}

/// Separates a sort value from the id that breaks ties; sorts below every printable character.
pub(crate) const TIE: char = '\u{1}';

/// A fixed-width decimal so that string order is numeric order.
pub(crate) fn padded(n: i64) -> String {
    format!("{:020}", n.max(0))
}
