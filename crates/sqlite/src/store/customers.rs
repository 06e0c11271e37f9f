//! Customers: guarded upserts and keyset-paginated listings.

use async_trait::async_trait;
use expedite_core::store::{
    CustomerStore, FieldChange, LocalEdit, StoreError, UpsertReport, decode_cursor,
    keys::{customer_listing, name_key, normalised_search, revenue_key, search_text},
    page_from,
};
use expedite_domain::{
    Customer, CustomerFilter, CustomerId, CustomerSort, Page, PageRequest, Timestamp,
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
                         billing_city, billing_country, phone, website, owner_id,
                         system_modstamp_ms, is_deleted, synced_at_ms, name_key, revenue_key,
                         search_text)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET
                         name = excluded.name, account_type = excluded.account_type,
                         industry = excluded.industry, annual_revenue = excluded.annual_revenue,
                         billing_city = excluded.billing_city,
                         billing_country = excluded.billing_country, phone = excluded.phone,
                         website = excluded.website, owner_id = excluded.owner_id,
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
        let listing = customer_listing(filter);
        let (column, descending) = sort_column(filter.sort);
        let (cmp, order) = if descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        let after = match &page.cursor {
            Some(text) => Some(
                serde_json::from_value::<(Value, String)>(decode_cursor(text, &listing)?)
                    .map_err(|_| StoreError::InvalidCursor)?,
            ),
            None => None,
        };
        let search = normalised_search(filter);
        let sql = format!(
            "SELECT * FROM customers
             WHERE is_deleted = 0
               AND (?1 IS NULL OR instr(search_text, ?1) > 0)
               AND (?2 IS NULL OR ({column}, id) {cmp} (?2, ?3))
             ORDER BY {column} {order}, id {order}
             LIMIT ?4"
        );
        let limit = page.limit.get();
        let mut query = sqlx::query(&sql).bind(search);
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
        Ok(page_from(items, limit, &listing, |last| {
            let key = match filter.sort {
                CustomerSort::NameAsc | CustomerSort::NameDesc => json!(name_key(last)),
                CustomerSort::RevenueAsc | CustomerSort::RevenueDesc => json!(revenue_key(last)),
                CustomerSort::ModifiedDesc => json!(last.system_modstamp.as_millis()),
            };
            json!([key, last.id.as_str()])
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

fn sort_column(sort: CustomerSort) -> (&'static str, bool) {
    match sort {
        CustomerSort::NameAsc => ("name_key", false),
        CustomerSort::NameDesc => ("name_key", true),
        CustomerSort::RevenueAsc => ("revenue_key", false),
        CustomerSort::RevenueDesc => ("revenue_key", true),
        CustomerSort::ModifiedDesc => ("system_modstamp_ms", true),
    }
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
        system_modstamp: Timestamp::from_millis(row.get("system_modstamp_ms")),
        is_deleted: row.get("is_deleted"),
        synced_at: Timestamp::from_millis(row.get("synced_at_ms")),
    })
}
