//! Local edits of customers on DynamoDB, in the sync table.
//!
//! One item per customer, `pk = EDIT#<id>`, listed through the sync table's `by_created` index
//! under its own partition (`run_pk = EDIT`, `created_sk = <id>`), so listing pending edits is
//! a query, not a scan, and never mixes with the runs. The index is eventually consistent: an
//! edit recorded a moment before a sync starts may wait for the next one.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use expedite_core::store::{FieldChange, LocalEdit, StoreError};
use expedite_domain::{CustomerId, Timestamp};

use super::{
    DynamoStore,
    attr::{Item, corrupt, get_n, get_s, n, s},
    conditions::is_condition_failed,
    indexes, unavailable,
};

/// The index partition that holds pending edits.
const EDITS_PARTITION: &str = "EDIT";
/// Read-modify-write attempts when concurrent recorders collide.
const RECORD_ATTEMPTS: u32 = 10;

fn edit_pk(id: &CustomerId) -> String {
    format!("EDIT#{id}")
}

impl DynamoStore {
    pub(super) async fn record_edit(
        &self,
        id: &CustomerId,
        changes: Vec<FieldChange>,
        now: Timestamp,
    ) -> Result<LocalEdit, StoreError> {
        for attempt in 0..RECORD_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt.min(6)))).await;
            }
            let stored = self
                .client
                .get_item()
                .table_name(&self.tables.sync)
                .key("pk", s(edit_pk(id)))
                .consistent_read(true)
                .send()
                .await
                .map_err(unavailable)?;
            let stored = stored.item().map(read_edit).transpose()?;
            let (edit, condition) = match stored {
                Some(edit) => {
                    let seen = edit.version;
                    (edit.merged(changes.clone(), now), Some(seen))
                }
                None => (LocalEdit::new(id.clone(), changes.clone(), now), None),
            };
            let mut put = self
                .client
                .put_item()
                .table_name(&self.tables.sync)
                .set_item(Some(edit_item(&edit)?));
            put = match condition {
                Some(seen) => put
                    .condition_expression("version = :seen")
                    .expression_attribute_values(":seen", n(seen)),
                None => put.condition_expression("attribute_not_exists(pk)"),
            };
            match put.send().await {
                Ok(_) => return Ok(edit),
                Err(error) if is_condition_failed(&error) => continue,
                Err(error) => return Err(unavailable(error)),
            }
        }
        Err(StoreError::Unavailable(format!(
            "the edit of {id} kept changing under concurrent writers"
        )))
    }

    pub(super) async fn list_edits(
        &self,
        after: Option<&CustomerId>,
        limit: u32,
    ) -> Result<Vec<LocalEdit>, StoreError> {
        let mut edits = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let wanted = (limit as usize).saturating_sub(edits.len());
            if wanted == 0 {
                break;
            }
            let mut request = self
                .client
                .query()
                .table_name(&self.tables.sync)
                .index_name(indexes::SYNC_RUNS_BY_CREATED)
                .expression_attribute_values(":edits", s(EDITS_PARTITION))
                .scan_index_forward(true)
                .limit(i32::try_from(wanted).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take());
            request = match after {
                Some(after) => request
                    .key_condition_expression("run_pk = :edits AND created_sk > :after")
                    .expression_attribute_values(":after", s(after.as_str())),
                None => request.key_condition_expression("run_pk = :edits"),
            };
            let output = request.send().await.map_err(unavailable)?;
            for item in output.items() {
                edits.push(read_edit(item)?);
            }
            start = output.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        edits.truncate(limit as usize);
        Ok(edits)
    }

    pub(super) async fn clear_edit(
        &self,
        id: &CustomerId,
        version: u64,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.tables.sync)
            .key("pk", s(edit_pk(id)))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(version))
            .send()
            .await;
        match output {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(unavailable(error)),
        }
    }
}

fn edit_item(edit: &LocalEdit) -> Result<Item, StoreError> {
    let changes = serde_json::to_string(&edit.changes).map_err(corrupt)?;
    Ok(Item::from([
        ("pk".to_owned(), s(edit_pk(&edit.customer_id))),
        ("run_pk".to_owned(), s(EDITS_PARTITION)),
        ("created_sk".to_owned(), s(edit.customer_id.as_str())),
        ("changes".to_owned(), AttributeValue::S(changes)),
        ("version".to_owned(), n(edit.version)),
        ("edited_at".to_owned(), n(edit.edited_at.as_millis())),
    ]))
}

fn read_edit(item: &Item) -> Result<LocalEdit, StoreError> {
    Ok(LocalEdit {
        customer_id: CustomerId::parse(get_s(item, "created_sk")?).map_err(corrupt)?,
        changes: serde_json::from_str(&get_s(item, "changes")?).map_err(corrupt)?,
        version: get_n(item, "version")?,
        edited_at: Timestamp::from_millis(get_n(item, "edited_at")?),
    })
}
