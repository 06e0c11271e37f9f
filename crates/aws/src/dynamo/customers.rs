//! Customers on DynamoDB: upserts that keep the rollup, and listings over sparse sort indexes.
//!
//! An upsert reads the stored version of each record (`BatchGetItem`), drops records older than
//! it, and writes the rest with the rollup's counter changes in one `TransactWriteItems`, each
//! put conditioned on the version it read (see `rollup.rs`). A lost race re-reads and retries.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use expedite_core::store::{
    CustomerStore, FieldChange, LocalEdit, StoreError, UpsertReport, decode_position,
    keys::{customer_listing, name_key, normalised_search, revenue_key, search_text},
    two_way_page,
};
use expedite_domain::{
    Customer, CustomerCount, CustomerFilter, CustomerId, CustomerSort, CustomerTotals, Page,
    PageRequest, Timestamp,
};

use super::{
    DynamoStore, TIE,
    attr::{Item, corrupt, get_bool, get_n, get_s, n, opt_n, opt_s, put_opt, s},
    indexes, padded,
    rollup::Part,
    unavailable,
};

/// Customers per transaction: with the rollup's five updates well inside DynamoDB's 100
/// actions, and each update's expression inside its 4 KB.
const TRANSACT_PUTS: usize = 25;
/// Items evaluated per page when a filter may discard many.
const FILTERED_PAGE: i32 = 200;
/// Items a count with a filter no rollup counter answers reads at most.
const MAX_COUNTED: u64 = 20_000;

#[async_trait]
impl CustomerStore for DynamoStore {
    async fn upsert_customers(&self, batch: &[Customer]) -> Result<UpsertReport, StoreError> {
        let mut report = UpsertReport::default();
        for chunk in batch.chunks(TRANSACT_PUTS) {
            let done = self.upsert_chunk(chunk).await?;
            report.written += done.written;
            report.stale += done.stale;
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
        let filter = filter.normalised();
        let listing = customer_listing(&filter);
        let position = page
            .cursor
            .as_deref()
            .map(|text| decode_position(text, &listing))
            .transpose()?;
        let (index, sk_attr, forward) = index_for(filter.sort);
        // A page before the cursor is read in the other direction, nearest first.
        let forward = forward != position.as_ref().is_some_and(|position| position.before);
        let limit = page.limit.get();
        let mut start: Option<Item> = match &position {
            Some(position) => {
                let (sk, id): (String, String) = serde_json::from_value(position.key.clone())
                    .map_err(|_| StoreError::InvalidCursor)?;
                Some(HashMap::from([
                    ("id".to_owned(), s(id)),
                    ("live".to_owned(), s("1")),
                    (sk_attr.to_owned(), s(sk)),
                ]))
            }
            None => None,
        };
        let narrowing = FilterExpression::of(&filter);
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
            request = match &narrowing {
                Some(narrowing) => narrowing.apply_to_query(request).limit(FILTERED_PAGE),
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
        Ok(two_way_page(
            items,
            limit,
            &listing,
            position.as_ref(),
            |item| serde_json::json!([sort_key(filter.sort, item), item.id.as_str()]),
        ))
    }

    async fn count_customers(&self, filter: &CustomerFilter) -> Result<CustomerCount, StoreError> {
        let filter = filter.normalised();
        let exact = |count| CustomerCount {
            count,
            at_least: false,
        };
        // The rollup answers no filter, or one exact field alone.
        match (
            &filter.search,
            &filter.industry,
            &filter.account_type,
            &filter.country,
        ) {
            (None, None, None, None) => {
                return Ok(exact(self.live_count().await?));
            }
            (None, Some(value), None, None) => {
                return Ok(exact(self.segment_count(Part::Industry, value).await?));
            }
            (None, None, Some(value), None) => {
                return Ok(exact(self.segment_count(Part::Type, value).await?));
            }
            (None, None, None, Some(value)) => {
                return Ok(exact(self.segment_count(Part::Country, value).await?));
            }
            _ => {}
        }
        self.count_by_reading(&filter).await
    }

    async fn customer_totals(&self) -> Result<CustomerTotals, StoreError> {
        self.rollup_totals().await
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
    /// Counts by reading the name index with the filter, up to [`MAX_COUNTED`] items.
    async fn count_by_reading(&self, filter: &CustomerFilter) -> Result<CustomerCount, StoreError> {
        let narrowing = FilterExpression::of(filter);
        let mut count = 0_u64;
        let mut scanned = 0_u64;
        let mut start = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.tables.customers)
                .index_name(indexes::CUSTOMERS_BY_NAME)
                .key_condition_expression("live = :live")
                .expression_attribute_values(":live", s("1"))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start.take());
            if let Some(narrowing) = &narrowing {
                request = narrowing.apply_to_query(request);
            }
            let output = request.send().await.map_err(unavailable)?;
            count += output.count().max(0) as u64;
            scanned += output.scanned_count().max(0) as u64;
            start = output.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(CustomerCount {
                    count,
                    at_least: false,
                });
            }
            if scanned >= MAX_COUNTED {
                return Ok(CustomerCount {
                    count,
                    at_least: true,
                });
            }
        }
    }
}

/// A filter as a DynamoDB filter expression over the stored attributes.
struct FilterExpression {
    expression: String,
    values: Vec<(&'static str, String)>,
}

impl FilterExpression {
    fn of(filter: &CustomerFilter) -> Option<Self> {
        let mut terms = Vec::new();
        let mut values = Vec::new();
        if let Some(text) = normalised_search(filter) {
            terms.push("contains(search_text, :q)");
            values.push((":q", text));
        }
        for (term, name, value) in [
            ("industry = :industry", ":industry", &filter.industry),
            ("account_type = :type", ":type", &filter.account_type),
            ("billing_country = :country", ":country", &filter.country),
        ] {
            if let Some(value) = value {
                terms.push(term);
                values.push((name, value.clone()));
            }
        }
        (!terms.is_empty()).then(|| Self {
            expression: terms.join(" AND "),
            values,
        })
    }

    fn apply_to_query(
        &self,
        mut request: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        request = request.filter_expression(&self.expression);
        for (name, value) in &self.values {
            request = request.expression_attribute_values(*name, s(value));
        }
        request
    }
}

fn index_for(sort: CustomerSort) -> (&'static str, &'static str, bool) {
    match sort {
        CustomerSort::NameAsc => (indexes::CUSTOMERS_BY_NAME, "name_sk", true),
        CustomerSort::NameDesc => (indexes::CUSTOMERS_BY_NAME, "name_sk", false),
        CustomerSort::RevenueAsc => (indexes::CUSTOMERS_BY_REVENUE, "revenue_sk", true),
        CustomerSort::RevenueDesc => (indexes::CUSTOMERS_BY_REVENUE, "revenue_sk", false),
        CustomerSort::ModifiedDesc => (indexes::CUSTOMERS_BY_MODIFIED, "modified_sk", false),
        CustomerSort::ModifiedAsc => (indexes::CUSTOMERS_BY_MODIFIED, "modified_sk", true),
    }
}

fn sort_key(sort: CustomerSort, customer: &Customer) -> String {
    match sort {
        CustomerSort::NameAsc | CustomerSort::NameDesc => name_sk(customer),
        CustomerSort::RevenueAsc | CustomerSort::RevenueDesc => revenue_sk(customer),
        CustomerSort::ModifiedDesc | CustomerSort::ModifiedAsc => modified_sk(customer),
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

pub(super) fn customer_item(customer: &Customer) -> Item {
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
    put_opt(&mut item, "owner_name", customer.owner_name.as_deref());
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
        owner_name: opt_s(item, "owner_name")?,
        system_modstamp: Timestamp::from_millis(get_n(item, "system_modstamp")?),
        is_deleted: get_bool(item, "is_deleted")?,
        synced_at: Timestamp::from_millis(get_n(item, "synced_at")?),
    })
}
