//! AI queries with conditional transitions and idempotency keys.

use async_trait::async_trait;
use expedite_core::store::{
    Answer, Created, IDEMPOTENCY_WINDOW, NewQuery, QueryStore, StoreError, decode_cursor, page_from,
};
use expedite_domain::{
    AiQuery, CustomerId, Page, PageRequest, Prompt, QueryId, QueryStatus, Timestamp, TokenUsage,
    UserId,
};
use sqlx::{Row, Sqlite, Transaction, sqlite::SqliteRow};

use super::{SqliteStore, corrupt, unavailable};

const LISTING: &str = "queries";

#[async_trait]
impl QueryStore for SqliteStore {
    async fn create_query(&self, new: NewQuery) -> Result<Created<AiQuery>, StoreError> {
        let mut tx = self.db.pool().begin().await.map_err(unavailable)?;
        let created = insert_query(&mut tx, &new).await?;
        tx.commit().await.map_err(unavailable)?;
        Ok(created)
    }

    async fn get_query(&self, id: &QueryId) -> Result<Option<AiQuery>, StoreError> {
        sqlx::query("SELECT * FROM ai_queries WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(self.db.pool())
            .await
            .map_err(unavailable)?
            .map(|row| read_query(&row))
            .transpose()
    }

    async fn list_queries(
        &self,
        owner: &UserId,
        page: &PageRequest,
    ) -> Result<Page<AiQuery>, StoreError> {
        // Keyset pagination: strictly after the last (created_at, id) of the previous page.
        let (after_ms, after_id) = match &page.cursor {
            Some(text) => serde_json::from_value::<(i64, String)>(decode_cursor(text, LISTING)?)
                .map_err(|_| StoreError::InvalidCursor)?,
            None => (i64::MAX, String::new()),
        };
        let limit = page.limit.get();
        let rows = sqlx::query(
            "SELECT * FROM ai_queries
             WHERE owner = ? AND (created_at_ms < ? OR (created_at_ms = ? AND id < ?))
             ORDER BY created_at_ms DESC, id DESC
             LIMIT ?",
        )
        .bind(owner.as_str())
        .bind(after_ms)
        .bind(after_ms)
        .bind(&after_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?;
        let items = rows.iter().map(read_query).collect::<Result<Vec<_>, _>>()?;
        Ok(page_from(items, limit, LISTING, |last| {
            serde_json::json!([last.created_at.as_millis(), last.id.as_str()])
        }))
    }

    async fn start_query(
        &self,
        id: &QueryId,
        seen_attempts: u32,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> Result<Option<AiQuery>, StoreError> {
        sqlx::query(
            "UPDATE ai_queries
             SET status = 'RUNNING', attempts = attempts + 1, updated_at_ms = ?,
                 notice = NULL, retry_at_ms = NULL
             WHERE id = ? AND attempts = ?
               AND (status = 'QUEUED' OR (status = 'RUNNING' AND updated_at_ms < ?))
             RETURNING *",
        )
        .bind(now.as_millis())
        .bind(id.as_str())
        .bind(seen_attempts)
        .bind(stale_before.as_millis())
        .fetch_optional(self.db.pool())
        .await
        .map_err(unavailable)?
        .map(|row| read_query(&row))
        .transpose()
    }

    async fn complete_query(
        &self,
        id: &QueryId,
        attempt: u32,
        answer: &Answer,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let citations = serde_json::to_string(&answer.citations).map_err(corrupt)?;
        let done = sqlx::query(
            "UPDATE ai_queries
             SET status = 'COMPLETED', answer = ?, citations = ?, model = ?, prompt_tokens = ?,
                 completion_tokens = ?, error = NULL, notice = NULL, retry_at_ms = NULL,
                 updated_at_ms = ?
             WHERE id = ? AND status = 'RUNNING' AND attempts = ?",
        )
        .bind(&answer.text)
        .bind(citations)
        .bind(&answer.model)
        .bind(answer.usage.prompt_tokens)
        .bind(answer.usage.completion_tokens)
        .bind(now.as_millis())
        .bind(id.as_str())
        .bind(attempt)
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(done.rows_affected() == 1)
    }

    async fn requeue_query(
        &self,
        id: &QueryId,
        attempt: u32,
        notice: &str,
        retry_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE ai_queries SET status = 'QUEUED', notice = ?, retry_at_ms = ?, updated_at_ms = ?
             WHERE id = ? AND status = 'RUNNING' AND attempts = ?",
        )
        .bind(notice)
        .bind(retry_at.as_millis())
        .bind(now.as_millis())
        .bind(id.as_str())
        .bind(attempt)
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(done.rows_affected() == 1)
    }

    async fn queued_queries(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AiQuery>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM ai_queries
             WHERE status = 'QUEUED' AND COALESCE(retry_at_ms, updated_at_ms) < ?
             ORDER BY COALESCE(retry_at_ms, updated_at_ms), id
             LIMIT ?",
        )
        .bind(before.as_millis())
        .bind(limit)
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?;
        rows.iter().map(read_query).collect()
    }

    async fn fail_query(
        &self,
        id: &QueryId,
        attempt: Option<u32>,
        error: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE ai_queries
             SET status = 'FAILED', error = ?, notice = NULL, retry_at_ms = NULL, updated_at_ms = ?
             WHERE id = ? AND status IN ('QUEUED', 'RUNNING') AND (? IS NULL OR attempts = ?)",
        )
        .bind(error)
        .bind(now.as_millis())
        .bind(id.as_str())
        .bind(attempt)
        .bind(attempt)
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(done.rows_affected() == 1)
    }
}

/// Inserts the query, or finds the one an earlier request made with the same key, inside `tx`
/// (which the caller commits; the intake writes the query's job in the same transaction).
pub(crate) async fn insert_query(
    tx: &mut Transaction<'_, Sqlite>,
    new: &NewQuery,
) -> Result<Created<AiQuery>, StoreError> {
    if let Some(key) = &new.idempotency_key {
        // Claim the key unless a fresh claim exists; the first statement writes, so the
        // transaction holds the write lock from here on.
        let expired_before = new.now.as_millis() - window_millis();
        let claimed: Option<String> = sqlx::query_scalar(
            "INSERT INTO idempotency_keys (owner, key, query_id, created_at_ms)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (owner, key) DO UPDATE
                 SET query_id = excluded.query_id, created_at_ms = excluded.created_at_ms
                 WHERE idempotency_keys.created_at_ms < ?
             RETURNING query_id",
        )
        .bind(new.owner.as_str())
        .bind(key)
        .bind(new.id.as_str())
        .bind(new.now.as_millis())
        .bind(expired_before)
        .fetch_optional(&mut **tx)
        .await
        .map_err(unavailable)?;
        if claimed.is_none() {
            let row = sqlx::query(
                "SELECT q.* FROM idempotency_keys k JOIN ai_queries q ON q.id = k.query_id
                 WHERE k.owner = ? AND k.key = ?",
            )
            .bind(new.owner.as_str())
            .bind(key)
            .fetch_optional(&mut **tx)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| corrupt("an idempotency key points at a missing query"))?;
            return Ok(Created::Existing(read_query(&row)?));
        }
    }
    sqlx::query(
        "INSERT INTO ai_queries (id, owner, prompt, status, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, 'QUEUED', ?, ?)",
    )
    .bind(new.id.as_str())
    .bind(new.owner.as_str())
    .bind(new.prompt.as_str())
    .bind(new.now.as_millis())
    .bind(new.now.as_millis())
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(Created::New(new.queued()))
}

fn window_millis() -> i64 {
    i64::try_from(IDEMPOTENCY_WINDOW.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn read_query(row: &SqliteRow) -> Result<AiQuery, StoreError> {
    let status: String = row.get("status");
    let citations: String = row.get("citations");
    let citations: Vec<CustomerId> = serde_json::from_str(&citations).map_err(corrupt)?;
    let prompt_tokens: Option<u32> = row.get("prompt_tokens");
    let completion_tokens: Option<u32> = row.get("completion_tokens");
    Ok(AiQuery {
        id: QueryId::parse(row.get::<String, _>("id")).map_err(corrupt)?,
        owner: UserId::parse(row.get::<String, _>("owner")).map_err(corrupt)?,
        prompt: Prompt::parse(row.get::<String, _>("prompt")).map_err(corrupt)?,
        status: QueryStatus::parse(&status).ok_or_else(|| corrupt(status))?,
        answer: row.get("answer"),
        citations,
        error: row.get("error"),
        notice: row.get("notice"),
        retry_at: row
            .get::<Option<i64>, _>("retry_at_ms")
            .map(Timestamp::from_millis),
        attempts: row.get("attempts"),
        model: row.get("model"),
        usage: prompt_tokens
            .zip(completion_tokens)
            .map(|(prompt_tokens, completion_tokens)| TokenUsage {
                prompt_tokens,
                completion_tokens,
            }),
        created_at: Timestamp::from_millis(row.get("created_at_ms")),
        updated_at: Timestamp::from_millis(row.get("updated_at_ms")),
    })
}
