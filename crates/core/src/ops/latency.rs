//! Model latency as a histogram the store can add to: 25 buckets, each 1.5 times as wide as the
//! one before, from 10 ms to about 112 s and one open bucket beyond. Percentiles read from it
//! are interpolated within a bucket, so they are within ±25 % of the true value.

use std::{collections::BTreeMap, time::Duration};

/// How many buckets; the last is open-ended.
pub const BUCKETS: usize = 25;
const FIRST_EDGE_MS: f64 = 10.0;
const GROWTH: f64 = 1.5;

/// The upper edge of bucket `index`, in milliseconds (`None` for the open last bucket).
fn upper_edge(index: usize) -> Option<f64> {
    (index + 1 < BUCKETS).then(|| FIRST_EDGE_MS * GROWTH.powi(index as i32))
}

fn lower_edge(index: usize) -> f64 {
    if index == 0 {
        0.0
    } else {
        FIRST_EDGE_MS * GROWTH.powi(index as i32 - 1)
    }
}

/// The bucket a call that took `took` falls in.
pub fn bucket(took: Duration) -> usize {
    let ms = took.as_secs_f64() * 1000.0;
    (0..BUCKETS)
        .find(|&index| upper_edge(index).is_none_or(|edge| ms <= edge))
        .unwrap_or(BUCKETS - 1)
}

/// The rollup name of bucket `index`.
pub fn bucket_name(index: usize) -> String {
    format!("{}{index:02}", super::names::MODEL_MS_PREFIX)
}

/// The `q`-quantile (0 < q ≤ 1) in milliseconds of the calls counted in `values` under the
/// bucket names; `None` when there were none.
pub fn quantile_ms(values: &BTreeMap<String, u64>, q: f64) -> Option<u64> {
    let counts: Vec<u64> = (0..BUCKETS)
        .map(|index| values.get(&bucket_name(index)).copied().unwrap_or(0))
        .collect();
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut below = 0;
    for (index, &count) in counts.iter().enumerate() {
        if below + count >= rank {
            let lower = lower_edge(index);
            let Some(upper) = upper_edge(index) else {
                return Some(lower.round() as u64);
            };
            let within = (rank - below) as f64 / count as f64;
            return Some((lower + (upper - lower) * within).round() as u64);
        }
        below += count;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(samples_ms: &[u64]) -> BTreeMap<String, u64> {
        let mut values = BTreeMap::new();
        for &ms in samples_ms {
            *values
                .entry(bucket_name(bucket(Duration::from_millis(ms))))
                .or_default() += 1;
        }
        values
    }

    #[test]
    fn buckets_cover_every_duration() {
        assert_eq!(bucket(Duration::ZERO), 0);
        assert_eq!(bucket(Duration::from_millis(10)), 0);
        assert_eq!(bucket(Duration::from_millis(11)), 1);
        assert_eq!(bucket(Duration::from_secs(3600)), BUCKETS - 1);
    }

    #[test]
    fn quantiles_are_within_a_quarter_of_the_truth() {
        // 1..=1000 ms and 1..=60 s, evenly: the true quantiles are known.
        let fast: Vec<u64> = (1..=1000).collect();
        let slow: Vec<u64> = (1..=600).map(|n| n * 100).collect();
        for (samples, p50, p95) in [(&fast, 500.0, 950.0), (&slow, 30_000.0, 57_000.0)] {
            let values = histogram(samples);
            for (q, truth) in [(0.5, p50), (0.95, p95)] {
                let estimate = quantile_ms(&values, q).unwrap() as f64;
                assert!(
                    (estimate / truth - 1.0).abs() <= 0.25,
                    "q{q}: {estimate} against {truth}"
                );
            }
        }
    }

    #[test]
    fn no_calls_no_quantile() {
        assert_eq!(quantile_ms(&BTreeMap::new(), 0.5), None);
    }
}
