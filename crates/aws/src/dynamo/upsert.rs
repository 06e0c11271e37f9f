//! Writing customers with the rollup's counters, in transactions that cannot drift.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use aws_sdk_dynamodb::types::{KeysAndAttributes, Put, TransactWriteItem};
use expedite_core::store::{StoreError, UpsertReport};
use expedite_domain::Customer;

use super::{
    DynamoStore,
    attr::{Item, corrupt, get_n, get_s, n, s},
    conditions::is_transaction_canceled,
    customers::customer_item,
    rollup::{CONTRIBUTION_ATTRIBUTES, Contribution, Delta},
    unavailable,
};

/// Bounded retries of unprocessed reads and of transactions that lost a race, with
/// exponential back-off from 50 ms.
const RETRIES: u32 = 8;

/// A stored customer's version and what it counts for in the rollup.
struct Stored {
    modstamp: i64,
    contribution: Contribution,
}

impl DynamoStore {
    /// Writes the records of `chunk` (at most 25) that are not older than the stored ones, and
    /// their difference to the rollup, in one transaction.
    pub(super) async fn upsert_chunk(
        &self,
        chunk: &[Customer],
    ) -> Result<UpsertReport, StoreError> {
        for attempt in 0..=RETRIES {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let stored = self.stored_versions(chunk).await?;
            let (report, winners) = newest_not_older(chunk, &stored);
            if winners.is_empty() {
                return Ok(report);
            }
            let mut delta = Delta::default();
            let mut actions = Vec::with_capacity(winners.len() + 5);
            for customer in &winners {
                let seen = stored.get(customer.id.as_str());
                if let Some(seen) = seen {
                    delta.add(&seen.contribution, -1);
                }
                delta.add(&Contribution::of(customer), 1);
                actions.push(conditioned_put(
                    &self.tables.customers,
                    customer,
                    seen.map(|seen| seen.modstamp),
                )?);
            }
            actions.extend(delta.updates(&self.tables.sync)?);
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions))
                .send()
                .await;
            match sent {
                Ok(_) => return Ok(report),
                // A record changed since it was read, or another transaction held an item:
                // read again and recount.
                Err(error) if is_transaction_canceled(&error) => {
                    tracing::debug!(attempt, "customer upsert raced; reading again");
                }
                Err(error) => return Err(unavailable(error)),
            }
        }
        Err(StoreError::Unavailable(
            "customer writes kept racing; retry later".into(),
        ))
    }

    /// The stored version of each customer in `chunk` that exists.
    async fn stored_versions(
        &self,
        chunk: &[Customer],
    ) -> Result<HashMap<String, Stored>, StoreError> {
        let mut seen = HashSet::new();
        let keys: Vec<Item> = chunk
            .iter()
            .filter(|customer| seen.insert(customer.id.as_str()))
            .map(|customer| HashMap::from([("id".to_owned(), s(customer.id.as_str()))]))
            .collect();
        let mut stored = HashMap::new();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .projection_expression(format!("id, system_modstamp, {CONTRIBUTION_ATTRIBUTES}"))
                .consistent_read(true)
                .build()
                .map_err(corrupt)?,
        );
        for attempt in 0..=RETRIES {
            let Some(request) = pending.take() else { break };
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.tables.customers, request)
                .send()
                .await
                .map_err(unavailable)?;
            for item in output
                .responses()
                .and_then(|r| r.get(&self.tables.customers))
                .into_iter()
                .flatten()
            {
                let version = Stored {
                    modstamp: get_n(item, "system_modstamp")?,
                    contribution: Contribution::from_item(item)?,
                };
                stored.insert(get_s(item, "id")?, version);
            }
            pending = output
                .unprocessed_keys()
                .and_then(|keys| keys.get(&self.tables.customers))
                .filter(|keys| !keys.keys().is_empty())
                .cloned();
        }
        if pending.is_some() {
            return Err(StoreError::Unavailable(
                "DynamoDB kept keys unprocessed".into(),
            ));
        }
        Ok(stored)
    }
}

/// The records to write: per id the newest version in the chunk, if not older than the stored
/// one (as writing them one by one would leave it). The report counts the rest as stale.
fn newest_not_older<'a>(
    chunk: &'a [Customer],
    stored: &HashMap<String, Stored>,
) -> (UpsertReport, Vec<&'a Customer>) {
    let mut report = UpsertReport::default();
    let mut newest: HashMap<&str, &Customer> = HashMap::new();
    let mut order = Vec::new();
    for customer in chunk {
        let not_older = stored
            .get(customer.id.as_str())
            .is_none_or(|seen| customer.system_modstamp.as_millis() >= seen.modstamp);
        if !not_older {
            report.stale += 1;
            continue;
        }
        // One by one, a later copy not older than an earlier one is written over it.
        match newest.get(customer.id.as_str()) {
            Some(kept) if kept.system_modstamp > customer.system_modstamp => report.stale += 1,
            kept => {
                if kept.is_none() {
                    order.push(customer.id.as_str());
                }
                newest.insert(customer.id.as_str(), customer);
                report.written += 1;
            }
        }
    }
    let winners = order.into_iter().map(|id| newest[id]).collect();
    (report, winners)
}

/// A put that applies only over the version the rollup's difference was computed from.
fn conditioned_put(
    table: &str,
    customer: &Customer,
    seen: Option<i64>,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(customer_item(customer)));
    let put = match seen {
        Some(modstamp) => put
            .condition_expression("system_modstamp = :seen")
            .expression_attribute_values(":seen", n(modstamp)),
        None => put.condition_expression("attribute_not_exists(id)"),
    };
    Ok(TransactWriteItem::builder()
        .put(put.build().map_err(corrupt)?)
        .build())
}

pub(super) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50 * 2_u64.pow(attempt.min(6)))
}
