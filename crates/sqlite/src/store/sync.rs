//! Sync runs, watermarks and leases.

use std::time::Duration;

use async_trait::async_trait;
use expedite_core::store::{StoreError, SyncStore, decode_cursor, page_from};
use expedite_domain::{Page, PageRequest, SyncId, SyncRun, Timestamp};

use super::{SqliteStore, corrupt, unavailable};

const LISTING: &str = "sync_runs";

#[async_trait]
impl SyncStore for SqliteStore {
    async fn put_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        write_sync_run(self.db.pool(), run).await
    }

    async fn get_sync_run(&self, id: &SyncId) -> Result<Option<SyncRun>, StoreError> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM sync_runs WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(self.db.pool())
            .await
            .map_err(unavailable)?;
        body.map(|body| serde_json::from_str(&body).map_err(corrupt))
            .transpose()
    }

    async fn list_sync_runs(&self, page: &PageRequest) -> Result<Page<SyncRun>, StoreError> {
        let (after_ms, after_id) = match &page.cursor {
            Some(text) => serde_json::from_value::<(i64, String)>(decode_cursor(text, LISTING)?)
                .map_err(|_| StoreError::InvalidCursor)?,
            None => (i64::MAX, String::new()),
        };
        let limit = page.limit.get();
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM sync_runs
             WHERE created_at_ms < ? OR (created_at_ms = ? AND id < ?)
             ORDER BY created_at_ms DESC, id DESC
             LIMIT ?",
        )
        .bind(after_ms)
        .bind(after_ms)
        .bind(&after_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?;
        let runs = bodies
            .iter()
            .map(|body| serde_json::from_str::<SyncRun>(body).map_err(corrupt))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page_from(runs, limit, LISTING, |last| {
            serde_json::json!([last.created_at.as_millis(), last.id.as_str()])
        }))
    }

    async fn watermark(&self, object: &str) -> Result<Option<Timestamp>, StoreError> {
        let millis: Option<i64> =
            sqlx::query_scalar("SELECT watermark_ms FROM sync_watermarks WHERE object = ?")
                .bind(object)
                .fetch_optional(self.db.pool())
                .await
                .map_err(unavailable)?;
        Ok(millis.map(Timestamp::from_millis))
    }

    async fn set_watermark(&self, object: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sync_watermarks (object, watermark_ms) VALUES (?, ?)
             ON CONFLICT (object) DO UPDATE SET watermark_ms = excluded.watermark_ms",
        )
        .bind(object)
        .bind(at.as_millis())
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(())
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let expires = now.plus_millis(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, expires_at_ms) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE
                 SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
                 WHERE leases.holder = excluded.holder OR leases.expires_at_ms <= ?",
        )
        .bind(name)
        .bind(holder)
        .bind(expires.as_millis())
        .bind(now.as_millis())
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(taken.rows_affected() == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE name = ? AND holder = ?")
            .bind(name)
            .bind(holder)
            .execute(self.db.pool())
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// Inserts or replaces `run` through `executor` (the pool, or the intake's transaction).
pub(crate) async fn write_sync_run<'e, E>(executor: E, run: &SyncRun) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    let body = serde_json::to_string(run).map_err(corrupt)?;
    sqlx::query(
        "INSERT INTO sync_runs (id, created_at_ms, body) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
    )
    .bind(run.id.as_str())
    .bind(run.created_at.as_millis())
    .bind(body)
    .execute(executor)
    .await
    .map_err(unavailable)?;
    Ok(())
}
