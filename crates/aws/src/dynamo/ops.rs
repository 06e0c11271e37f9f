//! The per-hour rollups on DynamoDB: one item of the sync table per hour (`pk = OPS#<hour>`),
//! each name a top-level number attribute (`c.<name>`; `ADD` reaches top-level attributes
//! only). Counts are `ADD`ed in one update per flush; a high is raised by an update
//! conditioned on being higher. Items carry `purge_at` (epoch seconds), the table's TTL.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use expedite_core::{
    ops::Counts,
    store::{HourRollup, OPS_RETENTION, OpsStore, StoreError},
};
use expedite_domain::{HOUR_MS, Timestamp};

use super::{
    DynamoStore,
    attr::{Item, get_s, n, s},
    conditions::settle,
    padded, unavailable,
};

const VALUE: &str = "c.";
/// BatchGetItem reads at most 100 keys.
const KEYS_PER_READ: usize = 100;
/// Reads of keys DynamoDB left unprocessed, before giving up.
const UNPROCESSED_RETRIES: u32 = 3;

fn pk(hour: Timestamp) -> String {
    format!("OPS#{}", padded(hour.as_millis()))
}

fn purge_at(hour: Timestamp) -> AttributeValue {
    n(hour.as_millis() / 1000 + OPS_RETENTION.as_secs() as i64)
}

#[async_trait]
impl OpsStore for DynamoStore {
    async fn add_to_hour(&self, hour: Timestamp, counts: &Counts) -> Result<(), StoreError> {
        if !counts.add.is_empty() {
            let mut update = self
                .client
                .update_item()
                .table_name(&self.tables.sync)
                .key("pk", s(pk(hour)))
                .expression_attribute_values(":purge", purge_at(hour));
            let mut adds = Vec::new();
            for (index, (name, count)) in counts.add.iter().enumerate() {
                adds.push(format!("#n{index} :v{index}"));
                update = update
                    .expression_attribute_names(format!("#n{index}"), format!("{VALUE}{name}"))
                    .expression_attribute_values(format!(":v{index}"), n(count));
            }
            update
                .update_expression(format!("ADD {} SET purge_at = :purge", adds.join(", ")))
                .send()
                .await
                .map_err(unavailable)?;
        }
        for (name, high) in &counts.max {
            let output = self
                .client
                .update_item()
                .table_name(&self.tables.sync)
                .key("pk", s(pk(hour)))
                .update_expression("SET #n = :v, purge_at = :purge")
                .condition_expression("attribute_not_exists(#n) OR #n < :v")
                .expression_attribute_names("#n", format!("{VALUE}{name}"))
                .expression_attribute_values(":v", n(high))
                .expression_attribute_values(":purge", purge_at(hour))
                .send()
                .await;
            // A failed condition means the hour already holds a higher value.
            settle(output)?;
        }
        Ok(())
    }

    async fn hours(&self, from: Timestamp, to: Timestamp) -> Result<Vec<HourRollup>, StoreError> {
        let starts: Vec<Timestamp> = (from.as_millis()..to.as_millis())
            .step_by(HOUR_MS as usize)
            .map(|ms| expedite_domain::hour_start(Timestamp::from_millis(ms)))
            .collect();
        let mut hours = Vec::new();
        for chunk in starts.chunks(KEYS_PER_READ) {
            for item in self.read_hours(chunk).await? {
                hours.push(rollup(&item)?);
            }
        }
        hours.sort_by_key(|hour| hour.hour);
        Ok(hours)
    }
}

impl DynamoStore {
    async fn read_hours(&self, hours: &[Timestamp]) -> Result<Vec<Item>, StoreError> {
        let mut keys: Vec<Item> = hours
            .iter()
            .map(|hour| HashMap::from([("pk".to_owned(), s(pk(*hour)))]))
            .collect();
        let mut items = Vec::new();
        for attempt in 0..=UNPROCESSED_RETRIES {
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .build()
                .map_err(|error| StoreError::Unavailable(error.to_string()))?;
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.tables.sync, request)
                .send()
                .await
                .map_err(unavailable)?;
            if let Some(found) = output.responses().and_then(|r| r.get(&self.tables.sync)) {
                items.extend(found.iter().cloned());
            }
            keys = output
                .unprocessed_keys()
                .and_then(|left| left.get(&self.tables.sync))
                .map(|left| left.keys().to_vec())
                .unwrap_or_default();
            if keys.is_empty() {
                return Ok(items);
            }
        }
        Err(StoreError::Unavailable(
            "DynamoDB left operations hours unread; retry".into(),
        ))
    }
}

fn rollup(item: &Item) -> Result<HourRollup, StoreError> {
    let key = get_s(item, "pk")?;
    let hour = key
        .strip_prefix("OPS#")
        .and_then(|ms| ms.parse::<i64>().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("not an operations hour: {key}")))?;
    let values: BTreeMap<String, u64> = item
        .iter()
        .filter_map(|(attribute, value)| {
            let name = attribute.strip_prefix(VALUE)?;
            let AttributeValue::N(number) = value else {
                return None;
            };
            Some((name.to_owned(), number.parse().unwrap_or(0)))
        })
        .collect();
    Ok(HourRollup {
        hour: Timestamp::from_millis(hour),
        values,
    })
}
