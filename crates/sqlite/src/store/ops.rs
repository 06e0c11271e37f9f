//! The per-hour rollups, a row per hour and name; older hours than the retention are dropped
//! as new ones are written.

use std::collections::BTreeMap;

use async_trait::async_trait;
use expedite_core::{
    ops::Counts,
    store::{HourRollup, OPS_RETENTION, OpsStore, StoreError},
};
use expedite_domain::Timestamp;

use super::{SqliteStore, unavailable};

#[async_trait]
impl OpsStore for SqliteStore {
    async fn add_to_hour(&self, hour: Timestamp, counts: &Counts) -> Result<(), StoreError> {
        let mut tx = self.db.pool().begin().await.map_err(unavailable)?;
        for (name, n) in &counts.add {
            sqlx::query(
                "INSERT INTO ops_hourly (hour_ms, name, value) VALUES (?, ?, ?)
                 ON CONFLICT (hour_ms, name) DO UPDATE SET value = value + excluded.value",
            )
            .bind(hour.as_millis())
            .bind(name)
            .bind(stored(*n))
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        }
        for (name, n) in &counts.max {
            sqlx::query(
                "INSERT INTO ops_hourly (hour_ms, name, value) VALUES (?, ?, ?)
                 ON CONFLICT (hour_ms, name) DO UPDATE SET value = MAX(value, excluded.value)",
            )
            .bind(hour.as_millis())
            .bind(name)
            .bind(stored(*n))
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        }
        let retention = i64::try_from(OPS_RETENTION.as_millis()).unwrap_or(i64::MAX);
        sqlx::query("DELETE FROM ops_hourly WHERE hour_ms < ?")
            .bind(hour.as_millis().saturating_sub(retention))
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)
    }

    async fn hours(&self, from: Timestamp, to: Timestamp) -> Result<Vec<HourRollup>, StoreError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT hour_ms, name, value FROM ops_hourly
             WHERE hour_ms >= ? AND hour_ms < ? ORDER BY hour_ms",
        )
        .bind(from.as_millis())
        .bind(to.as_millis())
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?;
        let mut hours: Vec<HourRollup> = Vec::new();
        for (hour_ms, name, value) in rows {
            let value = u64::try_from(value).unwrap_or(0);
            match hours.last_mut() {
                Some(last) if last.hour.as_millis() == hour_ms => {
                    last.values.insert(name, value);
                }
                _ => hours.push(HourRollup {
                    hour: Timestamp::from_millis(hour_ms),
                    values: BTreeMap::from([(name, value)]),
                }),
            }
        }
        Ok(hours)
    }
}

fn stored(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
