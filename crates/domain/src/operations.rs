//! What the Operations page shows administrators: hour by hour what the product did (from the
//! per-hour rollups the store keeps), the job queue now, and the newest sync runs.

use serde::{Deserialize, Serialize};

use crate::{SyncId, SyncKind, SyncStatus, Timestamp};

/// Milliseconds in an hour, the rollups' unit of time.
pub const HOUR_MS: i64 = 3_600_000;

/// The start of the UTC hour `at` falls in.
pub fn hour_start(at: Timestamp) -> Timestamp {
    Timestamp::from_millis(at.as_millis().div_euclid(HOUR_MS) * HOUR_MS)
}

/// The Operations page's figures over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operations {
    /// The first hour of the window (an hour's start, UTC).
    pub from: Timestamp,
    /// The end of the window: the start of the hour after the current one.
    pub to: Timestamp,
    pub checked_at: Timestamp,
    /// The hours something was recorded in, oldest first; an hour left out had nothing.
    pub hours: Vec<OpsHour>,
    /// Model latency percentiles over the whole window (estimated as for an hour).
    #[serde(default)]
    pub model_p50_ms: Option<u64>,
    #[serde(default)]
    pub model_p95_ms: Option<u64>,
    /// The job queue as it is now; `None` when the queue could not be read.
    #[serde(default)]
    pub queue: Option<QueueNow>,
    /// Request-filter blocks over the window, by rule family, most first.
    pub blocks: Vec<NamedCount>,
    /// Requests refused with 429 over the window, by limit, most first.
    pub limited: Vec<NamedCount>,
    /// The newest sync runs, newest first.
    pub syncs: Vec<SyncSummary>,
}

/// One hour's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpsHour {
    /// The hour's start (UTC).
    pub hour: Timestamp,
    /// Questions asked, answered and failed for good.
    pub submitted: u64,
    pub completed: u64,
    pub failed: u64,
    /// Calls to the language model, and those that failed.
    pub model_calls: u64,
    pub model_errors: u64,
    /// Model latency percentiles, estimated from a histogram of 25 buckets (within ±25 %).
    #[serde(default)]
    pub model_p50_ms: Option<u64>,
    #[serde(default)]
    pub model_p95_ms: Option<u64>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Jobs that failed an attempt and were retried; dead letters settled.
    pub retries: u64,
    pub dead_letters: u64,
    /// Requests the request filter blocked; requests refused with 429.
    pub blocked: u64,
    pub rate_limited: u64,
    pub sign_in_failures: u64,
    /// Responses with a 5xx status.
    pub server_errors: u64,
    /// The most jobs seen waiting, and the oldest waiting job's age, when sampled this hour.
    #[serde(default)]
    pub queue_high: Option<u64>,
    #[serde(default)]
    pub oldest_job_high_secs: Option<u64>,
}

/// A count under a name (a rule family, a limit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

/// What the job queue holds now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueNow {
    pub waiting: u64,
    pub in_flight: u64,
    pub dead_letters: u64,
    /// Age of the oldest waiting job, where the backend can tell.
    #[serde(default)]
    pub oldest_age_secs: Option<u64>,
}

/// A sync run in figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncSummary {
    pub sync_id: SyncId,
    pub kind: SyncKind,
    pub status: SyncStatus,
    pub started_at: Timestamp,
    /// From being queued to its last update: the whole run once it has ended.
    pub duration_ms: u64,
    pub pulled: u32,
    pub pushed: u32,
    pub deleted: u32,
    pub continuations: u32,
    /// Problems it recorded (conflicts, refused records…).
    pub issues: u32,
}

impl Operations {
    /// The window's hours, oldest first, those with nothing recorded filled with zeros.
    pub fn every_hour(&self) -> Vec<OpsHour> {
        let mut recorded = self.hours.iter().peekable();
        let mut hours = Vec::new();
        let mut hour = self.from.as_millis();
        while hour < self.to.as_millis() {
            let at = Timestamp::from_millis(hour);
            while recorded.next_if(|h| h.hour.as_millis() < hour).is_some() {}
            match recorded.next_if(|h| h.hour == at) {
                Some(found) => hours.push(found.clone()),
                None => hours.push(OpsHour {
                    hour: at,
                    ..OpsHour::default()
                }),
            }
            hour += HOUR_MS;
        }
        hours
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_start_on_the_hour_even_before_1970() {
        assert_eq!(
            hour_start(Timestamp::from_millis(7_199_999)).as_millis(),
            3_600_000
        );
        assert_eq!(
            hour_start(Timestamp::from_millis(-1)).as_millis(),
            -3_600_000
        );
    }

    #[test]
    fn every_hour_fills_the_gaps() {
        let at = |h: i64| Timestamp::from_millis(h * HOUR_MS);
        let operations = Operations {
            from: at(10),
            to: at(14),
            checked_at: at(13),
            hours: vec![
                OpsHour {
                    hour: at(11),
                    completed: 3,
                    ..OpsHour::default()
                },
                OpsHour {
                    hour: at(13),
                    failed: 1,
                    ..OpsHour::default()
                },
            ],
            model_p50_ms: None,
            model_p95_ms: None,
            queue: None,
            blocks: Vec::new(),
            limited: Vec::new(),
            syncs: Vec::new(),
        };
        let hours = operations.every_hour();
        let listed: Vec<_> = hours
            .iter()
            .map(|h| (h.hour, h.completed, h.failed))
            .collect();
        assert_eq!(
            listed,
            vec![
                (at(10), 0, 0),
                (at(11), 3, 0),
                (at(12), 0, 0),
                (at(13), 0, 1)
            ]
        );
    }
}
