//! The Operations page's data: per-hour rollups every process adds to, and the report built
//! from them.
//!
//! Events are counted in the process's [`Tally`] by [`crate::metrics`] (the same calls that
//! feed Prometheus and EMF), and [`flush`] adds the tally to the store's current hour
//! ([`OpsStore`](crate::store::OpsStore)): every few seconds self-hosted, after each invocation
//! on Lambda, and before a report is read. A flush that fails keeps its counts for the next one;
//! a process that dies loses at most what it counted since its last flush.

mod latency;
mod report;
mod tally;

use expedite_domain::{Timestamp, hour_start};

pub use latency::{BUCKETS as LATENCY_BUCKETS, bucket as latency_bucket, bucket_name, quantile_ms};
pub use report::MAX_WINDOW_HOURS;
pub use tally::{Counts, Tally};

use crate::store::OpsStore;

/// The rollups' names. Prefixed ones take a label from a small fixed set.
pub mod names {
    pub const SUBMITTED: &str = "queries.submitted";
    pub const COMPLETED: &str = "queries.completed";
    pub const FAILED: &str = "queries.failed";
    pub const MODEL_CALLS: &str = "model.calls";
    pub const MODEL_ERRORS: &str = "model.errors";
    /// Followed by a latency bucket's number (see [`super::bucket_name`]).
    pub const MODEL_MS_PREFIX: &str = "model.ms.";
    pub const PROMPT_TOKENS: &str = "tokens.prompt";
    pub const COMPLETION_TOKENS: &str = "tokens.completion";
    pub const RETRIES: &str = "jobs.retried";
    pub const DEAD_LETTERS: &str = "jobs.dead_letters";
    /// Followed by the request filter's rule family.
    pub const BLOCKED_PREFIX: &str = "blocked.";
    /// Followed by the limit's name.
    pub const LIMITED_PREFIX: &str = "limited.";
    pub const SIGN_IN_FAILURES: &str = "sign_in.failed";
    pub const SERVER_ERRORS: &str = "http.5xx";
    /// Highs, not counts.
    pub const QUEUE_HIGH: &str = "queue.waiting";
    pub const OLDEST_JOB_HIGH: &str = "queue.oldest_secs";
}

/// Adds what the process counted since the last flush to the hour `now` falls in. Returns
/// whether the store took it (if not, the counts wait for the next flush).
pub async fn flush(store: &dyn OpsStore, now: Timestamp) -> bool {
    let tally = Tally::global();
    let counts = tally.take();
    if counts.is_empty() {
        return true;
    }
    match store.add_to_hour(hour_start(now), &counts).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "operations rollup not stored; kept for the next flush");
            tally.restore(counts);
            false
        }
    }
}
