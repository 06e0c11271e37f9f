//! Local edits of customers: one row per customer, merged in a transaction.

use expedite_core::store::{FieldChange, LocalEdit, StoreError};
use expedite_domain::{CustomerId, Timestamp};
use sqlx::{Row, sqlite::SqliteRow};

use super::{SqliteStore, corrupt, unavailable};

impl SqliteStore {
    pub(super) async fn record_edit(
        &self,
        id: &CustomerId,
        changes: Vec<FieldChange>,
        now: Timestamp,
    ) -> Result<LocalEdit, StoreError> {
        // BEGIN IMMEDIATE takes the write lock first, so two recorders cannot both read the
        // same version and lose one change.
        let mut tx = self
            .db
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unavailable)?;
        let stored = sqlx::query("SELECT * FROM customer_edits WHERE customer_id = ?")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(unavailable)?
            .map(|row| read_edit(&row))
            .transpose()?;
        let edit = match stored {
            Some(edit) => edit.merged(changes, now),
            None => LocalEdit::new(id.clone(), changes, now),
        };
        sqlx::query(
            "INSERT INTO customer_edits (customer_id, changes, version, edited_at_ms)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (customer_id) DO UPDATE SET changes = excluded.changes,
                 version = excluded.version, edited_at_ms = excluded.edited_at_ms",
        )
        .bind(id.as_str())
        .bind(serde_json::to_string(&edit.changes).map_err(corrupt)?)
        .bind(i64::try_from(edit.version).map_err(corrupt)?)
        .bind(edit.edited_at.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(edit)
    }

    pub(super) async fn list_edits(
        &self,
        after: Option<&CustomerId>,
        limit: u32,
    ) -> Result<Vec<LocalEdit>, StoreError> {
        sqlx::query(
            "SELECT * FROM customer_edits WHERE (?1 IS NULL OR customer_id > ?1)
             ORDER BY customer_id LIMIT ?2",
        )
        .bind(after.map(CustomerId::as_str))
        .bind(i64::from(limit))
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?
        .iter()
        .map(read_edit)
        .collect()
    }

    pub(super) async fn clear_edit(
        &self,
        id: &CustomerId,
        version: u64,
    ) -> Result<bool, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM customer_edits WHERE customer_id = ? AND version = ?")
                .bind(id.as_str())
                .bind(i64::try_from(version).map_err(corrupt)?)
                .execute(self.db.pool())
                .await
                .map_err(unavailable)?
                .rows_affected();
        Ok(deleted == 1)
    }
}

fn read_edit(row: &SqliteRow) -> Result<LocalEdit, StoreError> {
    Ok(LocalEdit {
        customer_id: CustomerId::parse(row.get::<String, _>("customer_id")).map_err(corrupt)?,
        changes: serde_json::from_str(row.get("changes")).map_err(corrupt)?,
        version: u64::try_from(row.get::<i64, _>("version")).map_err(corrupt)?,
        edited_at: Timestamp::from_millis(row.get("edited_at_ms")),
    })
}
