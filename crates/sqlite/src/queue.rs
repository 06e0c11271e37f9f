//! The durable job queue in the embedded database.
//!
//! Receiving claims messages with one `UPDATE … RETURNING` statement, so two consumers never
//! get the same delivery. A consumer waiting in [`Queue::receive`] is woken at once by a send
//! from the same process; sends from another process are seen within [`CROSS_PROCESS_POLL`].

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use expedite_core::queue::{Queue, QueueDepth, QueueError, Receipt, Received};
use sqlx::Row;
use tokio::sync::Notify;

use expedite_core::clock::{self, Clock};

use crate::Database;

/// How often a waiting consumer looks for messages sent by other processes.
const CROSS_PROCESS_POLL: Duration = Duration::from_millis(500);

/// A named queue in the embedded database, with its dead-letter queue in the same table.
#[derive(Debug, Clone)]
pub struct SqliteQueue {
    db: Database,
    name: String,
    max_receives: u32,
    wake: Arc<Notify>,
    /// Visibility and delays are measured on it.
    clock: Arc<dyn Clock>,
}

impl SqliteQueue {
    /// A queue called `name`; messages received `max_receives` times are dead-lettered.
    pub fn new(db: Database, name: impl Into<String>, max_receives: u32) -> Self {
        Self {
            db,
            name: name.into(),
            max_receives: max_receives.max(1),
            wake: Arc::new(Notify::new()),
            clock: clock::system(),
        }
    }

    /// The same queue measuring time on `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().as_millis()
    }

    /// The database this queue lives in (the intake writes jobs with their records there).
    pub(crate) fn database(&self) -> &Database {
        &self.db
    }

    /// Writes a message through `executor` (the pool, or a caller's transaction); call
    /// [`SqliteQueue::woken`] once it is committed.
    pub(crate) async fn insert<'e, E>(
        &self,
        executor: E,
        body: &str,
        delay: Duration,
    ) -> Result<(), sqlx::Error>
    where
        E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
    {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO jobs (queue, body, visible_at_ms, created_at_ms) VALUES (?, ?, ?, ?)",
        )
        .bind(&self.name)
        .bind(body)
        .bind(now.saturating_add(millis(delay)))
        .bind(now)
        .execute(executor)
        .await
        .map(|_| ())
    }

    /// Like [`SqliteQueue::insert`], unless a live message with the same body is waiting or in
    /// flight. `true` when one was written.
    pub(crate) async fn insert_unless_pending(&self, body: &str) -> Result<bool, sqlx::Error> {
        let now = self.now_ms();
        let written = sqlx::query(
            "INSERT INTO jobs (queue, body, visible_at_ms, created_at_ms)
             SELECT ?, ?, ?, ?
             WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE queue = ? AND dead = 0 AND body = ?)",
        )
        .bind(&self.name)
        .bind(body)
        .bind(now)
        .bind(now)
        .bind(&self.name)
        .bind(body)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        Ok(written == 1)
    }

    /// Wakes this process's waiting consumers after a message was committed.
    pub(crate) fn woken(&self) {
        self.wake.notify_waiters();
    }

    /// Moves messages that used up their deliveries to the dead-letter queue, then claims up to
    /// `max` visible ones.
    async fn claim(&self, max: usize, visibility: Duration) -> Result<Vec<Received>, QueueError> {
        let now = self.now_ms();
        sqlx::query(
            "UPDATE jobs SET dead = 1, receipt = NULL
             WHERE queue = ? AND dead = 0 AND visible_at_ms <= ? AND receive_count >= ?",
        )
        .bind(&self.name)
        .bind(now)
        .bind(self.max_receives)
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;

        self.take(Lane::Live, max, visibility, now).await
    }

    /// Hides up to `max` visible messages of `lane` for `visibility` and hands them out; a
    /// live delivery counts as a receive, taking a dead letter in hand does not.
    async fn take(
        &self,
        lane: Lane,
        max: usize,
        visibility: Duration,
        now: i64,
    ) -> Result<Vec<Received>, QueueError> {
        let (dead, counted) = match lane {
            Lane::Live => (0, 1),
            Lane::Dead => (1, 0),
        };
        let token = uuid::Uuid::new_v4().to_string();
        let rows = sqlx::query(
            "UPDATE jobs
             SET receive_count = receive_count + ?,
                 receipt = ? || ':' || id,
                 visible_at_ms = ?
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE queue = ? AND dead = ? AND visible_at_ms <= ?
                 ORDER BY visible_at_ms, id
                 LIMIT ?)
             RETURNING body, receive_count, receipt",
        )
        .bind(counted)
        .bind(&token)
        .bind(now.saturating_add(millis(visibility)))
        .bind(&self.name)
        .bind(dead)
        .bind(now)
        .bind(i64::try_from(max).unwrap_or(i64::MAX))
        .fetch_all(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(rows.into_iter().map(received).collect())
    }
}

#[async_trait]
impl Queue for SqliteQueue {
    async fn send(&self, body: &str, delay: Duration) -> Result<(), QueueError> {
        self.insert(self.db.pool(), body, delay)
            .await
            .map_err(unavailable)?;
        self.woken();
        Ok(())
    }

    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Register for wake-ups before looking, so a send in between is not missed.
            let woken = self.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();

            let messages = self.claim(max.max(1), visibility).await?;
            let now = tokio::time::Instant::now();
            if !messages.is_empty() || now >= deadline {
                return Ok(messages);
            }
            let nap = (deadline - now).min(CROSS_PROCESS_POLL);
            // Either outcome means: look again.
            let _ = tokio::time::timeout(nap, woken).await;
        }
    }

    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError> {
        let deleted = sqlx::query("DELETE FROM jobs WHERE queue = ? AND receipt = ? AND dead = 0")
            .bind(&self.name)
            .bind(&receipt.0)
            .execute(self.db.pool())
            .await
            .map_err(unavailable)?
            .rows_affected();
        if deleted == 0 {
            return Err(QueueError::StaleReceipt);
        }
        Ok(())
    }

    async fn extend(&self, receipt: &Receipt, visibility: Duration) -> Result<(), QueueError> {
        let updated = sqlx::query(
            "UPDATE jobs SET visible_at_ms = ? WHERE queue = ? AND receipt = ? AND dead = 0",
        )
        .bind(self.now_ms().saturating_add(millis(visibility)))
        .bind(&self.name)
        .bind(&receipt.0)
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?
        .rows_affected();
        if updated == 0 {
            return Err(QueueError::StaleReceipt);
        }
        Ok(())
    }

    async fn receive_dead_letters(
        &self,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        self.take(Lane::Dead, max, visibility, self.now_ms()).await
    }

    async fn ack_dead_letter(&self, receipt: &Receipt) -> Result<(), QueueError> {
        let deleted = sqlx::query("DELETE FROM jobs WHERE queue = ? AND receipt = ? AND dead = 1")
            .bind(&self.name)
            .bind(&receipt.0)
            .execute(self.db.pool())
            .await
            .map_err(unavailable)?
            .rows_affected();
        if deleted == 0 {
            return Err(QueueError::StaleReceipt);
        }
        Ok(())
    }

    async fn depth(&self) -> Result<QueueDepth, QueueError> {
        let now = self.now_ms();
        let row = sqlx::query(
            "SELECT COALESCE(SUM(dead = 0 AND visible_at_ms <= ?1), 0) AS waiting,
                    COALESCE(SUM(dead = 0 AND visible_at_ms > ?1), 0) AS in_flight,
                    COALESCE(SUM(dead = 1), 0) AS dead_letters,
                    MIN(CASE WHEN dead = 0 THEN created_at_ms END) AS oldest_ms
             FROM jobs WHERE queue = ?2",
        )
        .bind(now)
        .bind(&self.name)
        .fetch_one(self.db.pool())
        .await
        .map_err(unavailable)?;
        let count = |name: &str| u64::try_from(row.get::<i64, _>(name)).unwrap_or(0);
        Ok(QueueDepth {
            waiting: count("waiting"),
            in_flight: count("in_flight"),
            dead_letters: count("dead_letters"),
            oldest_age: row
                .get::<Option<i64>, _>("oldest_ms")
                .map(|sent| Duration::from_millis(u64::try_from(now - sent).unwrap_or(0))),
        })
    }

    fn max_receives(&self) -> u32 {
        self.max_receives
    }

    fn backend_name(&self) -> &'static str {
        "SQLite queue"
    }
}

/// The live queue, or its dead letters (the same table, `dead = 1`).
#[derive(Debug, Clone, Copy)]
enum Lane {
    Live,
    Dead,
}

/// A claimed row as a delivery.
fn received(row: sqlx::sqlite::SqliteRow) -> Received {
    Received {
        receipt: Receipt(row.get("receipt")),
        body: row.get("body"),
        receive_count: row.get::<u32, _>("receive_count"),
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn unavailable(error: sqlx::Error) -> QueueError {
    QueueError::Unavailable(error.to_string())
}
