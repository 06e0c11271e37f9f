//! Customers: guarded upserts and keyset-paginated listings.

use async_trait::async_trait;
use expedite_core::store::{
    CustomerStore, FieldChange, LocalEdit, StoreError, UpsertReport, decode_position,
    keys::{customer_listing, name_key, normalised_search, revenue_key, search_text},
    two_way_page,
};
use expedite_domain::{
    Customer, CustomerCount, CustomerFilter, CustomerId, CustomerSort, CustomerTotals, Page,
    PageRequest, Timestamp,
};
use serde_json::{Value, json};
use sqlx::{Row, sqlite::SqliteRow};

use super::{SqliteStore, corrupt, unavailable};

/// Rows per transaction when upserting a large batch.
const UPSERT_CHUNK: usize = 500;

#[async_trait]
impl CustomerStore for SqliteStore {
    async fn upsert_customers(&self, batch: &[Customer]) -> Result<UpsertReport, StoreError> {
        let mut report = UpsertReport::default();
        for chunk in batch.chunks(UPSERT_CHUNK) {
            let mut tx = self.db.pool().begin().await.map_err(unavailable)?;
            for customer in chunk {
                let written = sqlx::query(
                    "INSERT INTO customers (id, name, account_type, industry, annual_revenue,
                         billing_city, billing_country, phone, website, owner_id, owner_name,
                         system_modstamp_ms, is_deleted, synced_at_ms, name_key, revenue_key,
                         search_text)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET
                         name = excluded.name, account_type = excluded.account_type,
                         industry = excluded.industry, annual_revenue = excluded.annual_revenue,
                         billing_city = excluded.billing_city,
                         billing_country = excluded.billing_country, phone = excluded.phone,
                         website = excluded.website, owner_id = excluded.owner_id,
                         owner_name = excluded.owner_name,
                         system_modstamp_ms = excluded.system_modstamp_ms,
                         is_deleted = excluded.is_deleted, synced_at_ms = excluded.synced_at_ms,
                         name_key = excluded.name_key, revenue_key = excluded.revenue_key,
                         search_text = excluded.search_text
                     WHERE excluded.system_modstamp_ms >= customers.system_modstamp_ms",
                )
                .bind(customer.id.as_str())
                .bind(&customer.name)
                .bind(&customer.account_type)
                .bind(&customer.industry)
                .bind(customer.annual_revenue)
                .bind(&customer.billing_city)
                .bind(&customer.billing_country)
                .bind(&customer.phone)
                .bind(&customer.website)
                .bind(&customer.owner_id)
                .bind(&customer.owner_name)
                .bind(customer.system_modstamp.as_millis())
                .bind(customer.is_deleted)
                .bind(customer.synced_at.as_millis())
                .bind(name_key(customer))
                .bind(revenue_key(customer))
                .bind(search_text(customer))
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?
                .rows_affected();
                if written == 1 {
                    report.written += 1;
                } else {
                    report.stale += 1;
                }
            }
            tx.commit().await.map_err(unavailable)?;
        }
        Ok(report)
    }

    async fn get_customer(&self, id: &CustomerId) -> Result<Option<Customer>, StoreError> {
        sqlx::query("SELECT * FROM customers WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(self.db.pool())
            .await
            .map_err(unavailable)?
            .map(|row| read_customer(&row))
            .transpose()
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
        // A page before the cursor is read in the other direction, nearest first.
        let backwards = position.as_ref().is_some_and(|position| position.before);
        let (column, descending) = sort_column(filter.sort);
        let (cmp, order) = if descending != backwards {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let after = match &position {
            Some(position) => Some(
                serde_json::from_value::<(Value, String)>(position.key.clone())
                    .map_err(|_| StoreError::InvalidCursor)?,
            ),
            None => None,
        };
        let sql = format!(
            "SELECT * FROM customers WHERE {FILTERED}
               AND (?5 IS NULL OR ({column}, id) {cmp} (?5, ?6))
             ORDER BY {column} {order}, id {order}
             LIMIT ?7"
        );
        let limit = page.limit.get();
        let mut query = bind_filter(sqlx::query(&sql), &filter);
        query = match &after {
            Some((Value::String(text), id)) => query.bind(text.clone()).bind(id.clone()),
            Some((Value::Number(n), id)) if column == "system_modstamp_ms" => query
                .bind(n.as_i64().ok_or(StoreError::InvalidCursor)?)
                .bind(id.clone()),
            Some((Value::Number(n), id)) => query
                .bind(n.as_f64().ok_or(StoreError::InvalidCursor)?)
                .bind(id.clone()),
            Some(_) => return Err(StoreError::InvalidCursor),
            None => query.bind(None::<String>).bind(None::<String>),
        };
        let rows = query
            .bind(i64::from(limit) + 1)
            .fetch_all(self.db.pool())
            .await
            .map_err(unavailable)?;
        let items = rows
            .iter()
            .map(read_customer)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(two_way_page(
            items,
            limit,
            &listing,
            position.as_ref(),
            |item| {
                let key = match filter.sort {
                    CustomerSort::NameAsc | CustomerSort::NameDesc => json!(name_key(item)),
                    CustomerSort::RevenueAsc | CustomerSort::RevenueDesc => {
                        json!(revenue_key(item))
                    }
                    CustomerSort::ModifiedDesc | CustomerSort::ModifiedAsc => {
                        json!(item.system_modstamp.as_millis())
                    }
                };
                json!([key, item.id.as_str()])
            },
        ))
    }

    async fn count_customers(&self, filter: &CustomerFilter) -> Result<CustomerCount, StoreError> {
        self.count(&filter.normalised()).await
    }

    async fn customer_totals(&self) -> Result<CustomerTotals, StoreError> {
        self.totals().await
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

fn sort_column(sort: CustomerSort) -> (&'static str, bool) {
    match sort {
        CustomerSort::NameAsc => ("name_key", false),
        CustomerSort::NameDesc => ("name_key", true),
        CustomerSort::RevenueAsc => ("revenue_key", false),
        CustomerSort::RevenueDesc => ("revenue_key", true),
        CustomerSort::ModifiedDesc => ("system_modstamp_ms", true),
        CustomerSort::ModifiedAsc => ("system_modstamp_ms", false),
    }
}

/// The live customers a filter keeps, with its values bound as `?1`–`?4` by [`bind_filter`].
pub(super) const FILTERED: &str = "is_deleted = 0
    AND (?1 IS NULL OR instr(search_text, ?1) > 0)
    AND (?2 IS NULL OR industry = ?2)
    AND (?3 IS NULL OR account_type = ?3)
    AND (?4 IS NULL OR billing_country = ?4)";

pub(super) fn bind_filter<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    filter: &CustomerFilter,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    query
        .bind(normalised_search(filter))
        .bind(filter.industry.clone())
        .bind(filter.account_type.clone())
        .bind(filter.country.clone())
}

fn read_customer(row: &SqliteRow) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: CustomerId::parse(row.get::<String, _>("id")).map_err(corrupt)?,
        name: row.get("name"),
        account_type: row.get("account_type"),
        industry: row.get("industry"),
        annual_revenue: row.get("annual_revenue"),
        billing_city: row.get("billing_city"),
        billing_country: row.get("billing_country"),
        phone: row.get("phone"),
        website: row.get("website"),
        owner_id: row.get("owner_id"),
        owner_name: row.get("owner_name"),
        system_modstamp: Timestamp::from_millis(row.get("system_modstamp_ms")),
        is_deleted: row.get("is_deleted"),
        synced_at: Timestamp::from_millis(row.get("synced_at_ms")),
    })
}
