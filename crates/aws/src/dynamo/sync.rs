//! Sync runs, watermarks and leases on DynamoDB.

use std::time::Duration;

use async_trait::async_trait;
use expedite_core::store::{StoreError, SyncStore, decode_cursor, page_from};
use expedite_domain::{Page, PageRequest, SyncId, SyncRun, Timestamp};

use super::{
    DynamoStore, TIE,
    attr::{corrupt, get_n, get_s, n, s},
    conditions::is_condition_failed,
    indexes, padded, unavailable,
};

const LISTING: &str = "sync_runs";

fn created_sk(run: &SyncRun) -> String {
    format!("{}{TIE}{}", padded(run.created_at.as_millis()), run.id)
}

#[async_trait]
impl SyncStore for DynamoStore {
    async fn put_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        let body = serde_json::to_string(run).map_err(corrupt)?;
        self.client
            .put_item()
            .table_name(&self.tables.sync)
            .item("pk", s(format!("RUN#{}", run.id)))
            .item("run_pk", s("RUN"))
            .item("created_sk", s(created_sk(run)))
            .item("body", s(body))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get_sync_run(&self, id: &SyncId) -> Result<Option<SyncRun>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.sync)
            .key("pk", s(format!("RUN#{id}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output
            .item()
            .map(|item| serde_json::from_str(&get_s(item, "body")?).map_err(corrupt))
            .transpose()
    }

    async fn list_sync_runs(&self, page: &PageRequest) -> Result<Page<SyncRun>, StoreError> {
        let limit = page.limit.get();
        let mut request = self
            .client
            .query()
            .table_name(&self.tables.sync)
            .index_name(indexes::SYNC_RUNS_BY_CREATED)
            .key_condition_expression("run_pk = :run")
            .expression_attribute_values(":run", s("RUN"))
            .scan_index_forward(false)
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
        if let Some(cursor) = &page.cursor {
            let (pk, sk): (String, String) =
                serde_json::from_value(decode_cursor(cursor, LISTING)?)
                    .map_err(|_| StoreError::InvalidCursor)?;
            request = request
                .exclusive_start_key("pk", s(pk))
                .exclusive_start_key("run_pk", s("RUN"))
                .exclusive_start_key("created_sk", s(sk));
        }
        let output = request.send().await.map_err(unavailable)?;
        let runs = output
            .items()
            .iter()
            .map(|item| serde_json::from_str::<SyncRun>(&get_s(item, "body")?).map_err(corrupt))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page_from(runs, limit, LISTING, |last| {
            serde_json::json!([format!("RUN#{}", last.id), created_sk(last)])
        }))
    }

    async fn watermark(&self, object: &str) -> Result<Option<Timestamp>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.sync)
            .key("pk", s(format!("WATERMARK#{object}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output
            .item()
            .map(|item| get_n(item, "watermark").map(Timestamp::from_millis))
            .transpose()
    }

    async fn set_watermark(&self, object: &str, at: Timestamp) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.tables.sync)
            .item("pk", s(format!("WATERMARK#{object}")))
            .item("watermark", n(at.as_millis()))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let expires = now.plus_millis(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        let output = self
            .client
            .put_item()
            .table_name(&self.tables.sync)
            .item("pk", s(format!("LEASE#{name}")))
            .item("holder", s(holder))
            .item("expires_at", n(expires.as_millis()))
            .condition_expression(
                "attribute_not_exists(pk) OR holder = :holder OR expires_at <= :now",
            )
            .expression_attribute_values(":holder", s(holder))
            .expression_attribute_values(":now", n(now.as_millis()))
            .send()
            .await;
        match output {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failed(&error) => Ok(false),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.tables.sync)
            .key("pk", s(format!("LEASE#{name}")))
            .condition_expression("holder = :holder")
            .expression_attribute_values(":holder", s(holder))
            .send()
            .await;
        match output {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(unavailable(error)),
        }
    }
}
