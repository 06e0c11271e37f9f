//! The Operations report: the window's hourly rollups read back as figures, the queue now,
//! and the newest sync runs. Administrators only.

use std::collections::BTreeMap;

use expedite_domain::{
    HOUR_MS, Limit, NamedCount, Operations, OpsHour, PageRequest, QueueNow, SyncRun, SyncSummary,
    hour_start,
};

use super::{latency::quantile_ms, names};
use crate::{AccessError, Services, identity::Caller, metrics, store::HourRollup};

/// The longest window a report covers: 31 days of hours.
pub const MAX_WINDOW_HOURS: u32 = 31 * 24;
const SYNC_RUNS_SHOWN: u32 = 20;

impl Services {
    /// The last `window_hours` hours (the current one included, at most
    /// [`MAX_WINDOW_HOURS`]). This process's own counts are flushed first, so they are in it.
    pub async fn operations(
        &self,
        caller: &Caller,
        window_hours: u32,
    ) -> Result<Operations, AccessError> {
        caller.require_admin()?;
        let now = self.now();
        super::flush(self.store().as_ref(), now).await;
        let to = hour_start(now).plus_millis(HOUR_MS);
        let from = to.plus_millis(-HOUR_MS * i64::from(window_hours.clamp(1, MAX_WINDOW_HOURS)));
        let rollups = self.store().hours(from, to).await?;
        let queue = match self.queue().depth().await {
            Ok(depth) => {
                metrics::queue_depth(depth.waiting, depth.dead_letters, depth.oldest_age);
                Some(QueueNow {
                    waiting: depth.waiting,
                    in_flight: depth.in_flight,
                    dead_letters: depth.dead_letters,
                    oldest_age_secs: depth.oldest_age.map(|age| age.as_secs()),
                })
            }
            Err(error) => {
                tracing::warn!(%error, "queue depth unavailable for the operations report");
                None
            }
        };
        let runs = self
            .store()
            .list_sync_runs(&PageRequest {
                cursor: None,
                limit: Limit::parse(Some(SYNC_RUNS_SHOWN)).unwrap_or(Limit::DEFAULT),
            })
            .await?;
        let mut latency = BTreeMap::new();
        for rollup in &rollups {
            for (name, n) in &rollup.values {
                if name.starts_with(names::MODEL_MS_PREFIX) {
                    *latency.entry(name.clone()).or_default() += n;
                }
            }
        }
        Ok(Operations {
            from,
            to,
            checked_at: now,
            model_p50_ms: quantile_ms(&latency, 0.5),
            model_p95_ms: quantile_ms(&latency, 0.95),
            blocks: totals(&rollups, names::BLOCKED_PREFIX),
            limited: totals(&rollups, names::LIMITED_PREFIX),
            hours: rollups.iter().map(hour).collect(),
            queue,
            syncs: runs.items.iter().map(summary).collect(),
        })
    }
}

fn hour(rollup: &HourRollup) -> OpsHour {
    let values = &rollup.values;
    let get = |name: &str| values.get(name).copied().unwrap_or(0);
    let sum = |prefix: &str| -> u64 {
        values
            .range(prefix.to_owned()..)
            .take_while(|(name, _)| name.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    };
    OpsHour {
        hour: rollup.hour,
        submitted: get(names::SUBMITTED),
        completed: get(names::COMPLETED),
        failed: get(names::FAILED),
        model_calls: get(names::MODEL_CALLS),
        model_errors: get(names::MODEL_ERRORS),
        model_p50_ms: quantile_ms(values, 0.5),
        model_p95_ms: quantile_ms(values, 0.95),
        prompt_tokens: get(names::PROMPT_TOKENS),
        completion_tokens: get(names::COMPLETION_TOKENS),
        retries: get(names::RETRIES),
        dead_letters: get(names::DEAD_LETTERS),
        blocked: sum(names::BLOCKED_PREFIX),
        rate_limited: sum(names::LIMITED_PREFIX),
        sign_in_failures: get(names::SIGN_IN_FAILURES),
        server_errors: get(names::SERVER_ERRORS),
        queue_high: values.get(names::QUEUE_HIGH).copied(),
        oldest_job_high_secs: values.get(names::OLDEST_JOB_HIGH).copied(),
    }
}

/// The window's counts under `prefix`, by what follows it, most first.
fn totals(rollups: &[HourRollup], prefix: &str) -> Vec<NamedCount> {
    let mut by_name: BTreeMap<&str, u64> = BTreeMap::new();
    for rollup in rollups {
        for (name, n) in &rollup.values {
            if let Some(label) = name.strip_prefix(prefix) {
                *by_name.entry(label).or_default() += n;
            }
        }
    }
    let mut counts: Vec<NamedCount> = by_name
        .into_iter()
        .map(|(name, count)| NamedCount {
            name: name.to_owned(),
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    counts
}

fn summary(run: &SyncRun) -> SyncSummary {
    SyncSummary {
        sync_id: run.id.clone(),
        kind: run.kind,
        status: run.status,
        started_at: run.created_at,
        duration_ms: (run.updated_at.as_millis() - run.created_at.as_millis()).max(0) as u64,
        pulled: run.pulled,
        pushed: run.pushed,
        deleted: run.deleted,
        continuations: run.continuations,
        issues: u32::try_from(run.issues.len()).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use expedite_domain::Timestamp;

    use super::*;

    fn rollup(values: &[(&str, u64)]) -> HourRollup {
        HourRollup {
            hour: Timestamp::from_millis(0),
            values: values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        }
    }

    #[test]
    fn an_hour_reads_its_counts_highs_and_families() {
        let read = hour(&rollup(&[
            ("queries.completed", 4),
            ("blocked.942", 2),
            ("blocked.941", 1),
            ("limited.requests", 5),
            ("queue.waiting", 12),
        ]));
        assert_eq!(read.completed, 4);
        assert_eq!(read.blocked, 3);
        assert_eq!(read.rate_limited, 5);
        assert_eq!(read.queue_high, Some(12));
        assert_eq!(read.oldest_job_high_secs, None);
        assert_eq!(read.model_p50_ms, None);
    }

    #[test]
    fn totals_are_summed_over_hours_most_first() {
        let hours = [
            rollup(&[("blocked.942", 2), ("blocked.941", 1)]),
            rollup(&[("blocked.941", 4), ("limited.requests", 1)]),
        ];
        let blocks = totals(&hours, names::BLOCKED_PREFIX);
        let listed: Vec<_> = blocks.iter().map(|c| (c.name.as_str(), c.count)).collect();
        assert_eq!(listed, vec![("941", 5), ("942", 2)]);
    }
}
