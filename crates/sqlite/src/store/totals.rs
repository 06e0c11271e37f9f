//! Counting and summing live customers, in SQL over the customers table's indexes.

use expedite_core::store::StoreError;
use expedite_domain::{CustomerCount, CustomerFilter, CustomerTotals, Segment, dollars};
use sqlx::Row;

use super::{
    SqliteStore,
    customers::{FILTERED, bind_filter},
    unavailable,
};

/// A customer's known revenue in whole cents (`revenue_key` is already rounded to cents; the
/// unknown ones hold -1), as `expedite_core::store::keys::revenue_cents` computes it.
const CENTS: &str = "CAST(ROUND(revenue_key * 100) AS INTEGER)";

impl SqliteStore {
    pub(super) async fn count(&self, filter: &CustomerFilter) -> Result<CustomerCount, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM customers WHERE {FILTERED}");
        let count: i64 = bind_filter(sqlx::query(&sql), filter)
            .fetch_one(self.db.pool())
            .await
            .map_err(unavailable)?
            .get(0);
        Ok(CustomerCount {
            count: count.max(0) as u64,
            at_least: false,
        })
    }

    pub(super) async fn totals(&self) -> Result<CustomerTotals, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*),
                    COUNT(CASE WHEN revenue_key >= 0 THEN 1 END),
                    COALESCE(SUM(CASE WHEN revenue_key >= 0 THEN {CENTS} END), 0)
             FROM customers WHERE is_deleted = 0"
        ))
        .fetch_one(self.db.pool())
        .await
        .map_err(unavailable)?;
        let with_revenue = row.get::<i64, _>(1).max(0) as u64;
        Ok(CustomerTotals {
            customers: row.get::<i64, _>(0).max(0) as u64,
            with_revenue,
            total_revenue: dollars(row.get(2)),
            median_revenue: self.median(with_revenue).await?,
            by_industry: self.segments("industry").await?,
            by_type: self.segments("account_type").await?,
            by_country: self.segments("billing_country").await?,
        })
    }

    /// The middle known revenue (the mean of the middle two for an even count).
    async fn median(&self, known: u64) -> Result<Option<f64>, StoreError> {
        if known == 0 {
            return Ok(None);
        }
        let middle: Vec<i64> = sqlx::query(&format!(
            "SELECT {CENTS} FROM customers WHERE is_deleted = 0 AND revenue_key >= 0
             ORDER BY revenue_key, id LIMIT ? OFFSET ?"
        ))
        .bind(if known.is_multiple_of(2) { 2_i64 } else { 1 })
        .bind(((known - 1) / 2) as i64)
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?
        .iter()
        .map(|row| row.get(0))
        .collect();
        let sum: i64 = middle.iter().sum();
        Ok(Some(dollars(sum) / middle.len().max(1) as f64))
    }

    /// Live customers and their summed revenue per value of `column` (one of the three names
    /// above, never user input).
    async fn segments(&self, column: &'static str) -> Result<Vec<Segment>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {column}, COUNT(*),
                    COALESCE(SUM(CASE WHEN revenue_key >= 0 THEN {CENTS} END), 0)
             FROM customers WHERE is_deleted = 0 GROUP BY {column}"
        ))
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?;
        let mut segments: Vec<Segment> = rows
            .iter()
            .map(|row| Segment {
                value: row.get(0),
                customers: row.get::<i64, _>(1).max(0) as u64,
                revenue: dollars(row.get(2)),
            })
            .collect();
        CustomerTotals::sort_segments(&mut segments);
        Ok(segments)
    }
}
