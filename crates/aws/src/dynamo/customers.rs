//! Customers on DynamoDB: guarded batch upserts and listings over sparse sort indexes.
//!
//! `BatchWriteItem` cannot carry conditions, so an upsert first reads the stored modstamps
//! (`BatchGetItem`) and writes only records that are not older. Syncs hold a lease, so no other
//! writer races between the read and the write.

use std::{collections::HashMap, time::Duration};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use expedite_core::store::{
    CustomerStore, FieldChange, LocalEdit, StoreError, UpsertReport, decode_cursor,
    keys::{customer_listing, name_key, normalised_search, revenue_key, search_text},
    page_from,
};
use expedite_domain::{
    Customer, CustomerFilter, CustomerId, CustomerSort, Page, PageRequest, Timestamp,
};

use super::{
    DynamoStore, TIE,
    attr::{Item, corrupt, get_bool, get_n, get_s, n, opt_n, opt_s, put_opt, s},
    indexes, padded, unavailable,
};

/// DynamoDB's limits per call.
const BATCH_GET_MAX: usize = 100;
const BATCH_WRITE_MAX: usize = 25;
/// Bounded retries of unprocessed items, with exponential back-off from 50 ms.
const UNPROCESSED_RETRIES: u32 = 8;
/// Items evaluated per page when a search filter may discard many.
const FILTERED_PAGE: i32 = 200;

#[async_trait]
impl CustomerStore for DynamoStore {
    async fn upsert_customers(&self, batch: &[Customer]) -> Result<UpsertReport, StoreError> {
        let mut report = UpsertReport::default();
        for chunk in batch.chunks(BATCH_GET_MAX) {
            let stored = self.stored_modstamps(chunk).await?;
            // Within one batch the newest version of a record wins, as it would one by one.
            let mut newest: HashMap<&str, &Customer> = HashMap::new();
            for customer in chunk {
                let not_older = stored
                    .get(customer.id.as_str())
                    .is_none_or(|at| customer.system_modstamp.as_millis() >= *at);
                if !not_older {
                    report.stale += 1;
                    continue;
                }
                match newest.get(customer.id.as_str()) {
                    Some(seen) if seen.system_modstamp > customer.system_modstamp => {
                        report.stale += 1
                    }
                    _ => {
                        newest.insert(customer.id.as_str(), customer);
                        report.written += 1;
                    }
                }
            }
            let writes: Vec<WriteRequest> = newest
                .values()
                .map(|customer| {
                    let put = PutRequest::builder()
                        .set_item(Some(customer_item(customer)))
                        .build()
                        .map_err(corrupt)?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<_, StoreError>>()?;
            for writes in writes.chunks(BATCH_WRITE_MAX) {
                self.batch_write(writes.to_vec()).await?;
            }
        }
        Ok(report)
    }

    async fn get_customer(&self, id: &CustomerId) -> Result<Option<Customer>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.customers)
            .key("id", s(id.as_str()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output.item().map(read_customer).transpose()
    }

    async fn list_customers(
        &self,
        filter: &CustomerFilter,
        page: &PageRequest,
    ) -> Result<Page<Customer>, StoreError> {
        let listing = customer_listing(filter);
        let (index, sk_attr, forward) = index_for(filter.sort);
        let search = normalised_search(filter);
        let limit = page.limit.get();
        let mut start: Option<Item> = match &page.cursor {
            Some(cursor) => {
                let (sk, id): (String, String) =
                    serde_json::from_value(decode_cursor(cursor, &listing)?)
                        .map_err(|_| StoreError::InvalidCursor)?;
                Some(HashMap::from([
                    ("id".to_owned(), s(id)),
                    ("live".to_owned(), s("1")),
                    (sk_attr.to_owned(), s(sk)),
                ]))
            }
            None => None,
        };
        let mut items = Vec::new();
        loop {
            let wanted = limit as usize + 1 - items.len();
            let mut request = self
                .client
                .query()
                .table_name(&self.tables.customers)
                .index_name(index)
                .key_condition_expression("live = :live")
                .expression_attribute_values(":live", s("1"))
                .scan_index_forward(forward)
                .set_exclusive_start_key(start.take());
            request = match &search {
                Some(text) => request
                    .filter_expression("contains(search_text, :q)")
                    .expression_attribute_values(":q", s(text))
                    .limit(FILTERED_PAGE),
                None => request.limit(i32::try_from(wanted).unwrap_or(i32::MAX)),
            };
            let output = request.send().await.map_err(unavailable)?;
            for item in output.items() {
                items.push(read_customer(item)?);
            }
            start = output.last_evaluated_key().cloned();
            if items.len() > limit as usize || start.is_none() {
                break;
            }
        }
        items.truncate(limit as usize + 1);
        Ok(page_from(items, limit, &listing, |last| {
            serde_json::json!([sort_key(filter.sort, last), last.id.as_str()])
        }))
    }

    async fn record_local_edit(
        &self,
        id: &CustomerId,
        changes: Vec<FieldChange>,
        now: Timestamp,
    ) -> Result<LocalEdit, StoreError> {
        self.record_edit(id, changes, now).await
    }

    async fn pending_edits(
        &self,
        after: Option<&CustomerId>,
        limit: u32,
    ) -> Result<Vec<LocalEdit>, StoreError> {
        self.list_edits(after, limit).await
    }

    async fn clear_local_edit(&self, id: &CustomerId, version: u64) -> Result<bool, StoreError> {
        self.clear_edit(id, version).await
    }
}

impl DynamoStore {
    /// The stored `system_modstamp` of each customer in `chunk` that exists.
    async fn stored_modstamps(
        &self,
        chunk: &[Customer],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let mut keys: Vec<Item> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for customer in chunk {
            if seen.insert(customer.id.as_str()) {
                keys.push(HashMap::from([("id".to_owned(), s(customer.id.as_str()))]));
            }
        }
        let mut stored = HashMap::new();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .projection_expression("id, system_modstamp")
                .consistent_read(true)
                .build()
                .map_err(corrupt)?,
        );
        for attempt in 0..=UNPROCESSED_RETRIES {
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
                stored.insert(get_s(item, "id")?, get_n(item, "system_modstamp")?);
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

    /// Writes up to 25 items, retrying what DynamoDB leaves unprocessed.
    async fn batch_write(&self, mut writes: Vec<WriteRequest>) -> Result<(), StoreError> {
        for attempt in 0..=UNPROCESSED_RETRIES {
            if writes.is_empty() {
                return Ok(());
            }
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.tables.customers, writes)
                .send()
                .await
                .map_err(unavailable)?;
            writes = output
                .unprocessed_items()
                .and_then(|items| items.get(&self.tables.customers))
                .cloned()
                .unwrap_or_default();
        }
        if writes.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Unavailable(format!(
                "DynamoDB left {} writes unprocessed",
                writes.len()
            )))
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50 * 2_u64.pow(attempt.min(6)))
}

fn index_for(sort: CustomerSort) -> (&'static str, &'static str, bool) {
    match sort {
        CustomerSort::NameAsc => (indexes::CUSTOMERS_BY_NAME, "name_sk", true),
        CustomerSort::NameDesc => (indexes::CUSTOMERS_BY_NAME, "name_sk", false),
        CustomerSort::RevenueAsc => (indexes::CUSTOMERS_BY_REVENUE, "revenue_sk", true),
        CustomerSort::RevenueDesc => (indexes::CUSTOMERS_BY_REVENUE, "revenue_sk", false),
        CustomerSort::ModifiedDesc => (indexes::CUSTOMERS_BY_MODIFIED, "modified_sk", false),
    }
}

fn sort_key(sort: CustomerSort, customer: &Customer) -> String {
    match sort {
        CustomerSort::NameAsc | CustomerSort::NameDesc => name_sk(customer),
        CustomerSort::RevenueAsc | CustomerSort::RevenueDesc => revenue_sk(customer),
        CustomerSort::ModifiedDesc => modified_sk(customer),
    }
}

fn name_sk(customer: &Customer) -> String {
    format!("{}{TIE}{}", name_key(customer), customer.id)
}

/// Unknown revenue ("0…") sorts below every known one ("1" + cents).
fn revenue_sk(customer: &Customer) -> String {
    let revenue = revenue_key(customer);
    let encoded = if revenue < 0.0 {
        "0".to_owned()
    } else {
        format!("1{}", padded((revenue * 100.0).round() as i64))
    };
    format!("{encoded}{TIE}{}", customer.id)
}

fn modified_sk(customer: &Customer) -> String {
    format!(
        "{}{TIE}{}",
        padded(customer.system_modstamp.as_millis()),
        customer.id
    )
}

fn customer_item(customer: &Customer) -> Item {
    let mut item = Item::new();
    item.insert("id".into(), s(customer.id.as_str()));
    item.insert("name".into(), s(&customer.name));
    put_opt(&mut item, "account_type", customer.account_type.as_deref());
    put_opt(&mut item, "industry", customer.industry.as_deref());
    if let Some(revenue) = customer.annual_revenue {
        item.insert("annual_revenue".into(), n(revenue));
    }
    put_opt(&mut item, "billing_city", customer.billing_city.as_deref());
    put_opt(
        &mut item,
        "billing_country",
        customer.billing_country.as_deref(),
    );
    put_opt(&mut item, "phone", customer.phone.as_deref());
    put_opt(&mut item, "website", customer.website.as_deref());
    put_opt(&mut item, "owner_id", customer.owner_id.as_deref());
    item.insert(
        "system_modstamp".into(),
        n(customer.system_modstamp.as_millis()),
    );
    item.insert(
        "is_deleted".into(),
        AttributeValue::Bool(customer.is_deleted),
    );
    item.insert("synced_at".into(), n(customer.synced_at.as_millis()));
    item.insert("search_text".into(), s(search_text(customer)));
    if !customer.is_deleted {
        // Only live customers carry the index keys: the indexes are sparse.
        item.insert("live".into(), s("1"));
        item.insert("name_sk".into(), s(name_sk(customer)));
        item.insert("revenue_sk".into(), s(revenue_sk(customer)));
        item.insert("modified_sk".into(), s(modified_sk(customer)));
    }
    item
}

fn read_customer(item: &Item) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: CustomerId::parse(get_s(item, "id")?).map_err(corrupt)?,
        name: get_s(item, "name")?,
        account_type: opt_s(item, "account_type")?,
        industry: opt_s(item, "industry")?,
        annual_revenue: opt_n(item, "annual_revenue")?,
        billing_city: opt_s(item, "billing_city")?,
        billing_country: opt_s(item, "billing_country")?,
        phone: opt_s(item, "phone")?,
        website: opt_s(item, "website")?,
        owner_id: opt_s(item, "owner_id")?,
        system_modstamp: Timestamp::from_millis(get_n(item, "system_modstamp")?),
        is_deleted: get_bool(item, "is_deleted")?,
        synced_at: Timestamp::from_millis(get_n(item, "synced_at")?),
    })
}
