//! The window a run reads: `[watermark − lookback, now − settle)`, fixed when the run starts.

use std::time::Duration;

use expedite_domain::Timestamp;

/// The `SystemModstamp` range one run reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Inclusive; `None` reads from the beginning (a full pull).
    pub lower: Option<Timestamp>,
    /// Exclusive; the watermark becomes this once every page of the window is written.
    pub upper: Timestamp,
}

impl Window {
    /// The window for a run starting at `now`.
    ///
    /// - No watermark: a full pull.
    /// - A watermark older than `delete_retention`: also a full pull, because deleted rows
    ///   older than the recycle bin keeps them can no longer be seen by `queryAll`.
    /// - Otherwise from `watermark − lookback` (records become visible late, and re-reading is
    ///   harmless) to `now − settle`.
    pub fn at(
        watermark: Option<Timestamp>,
        now: Timestamp,
        lookback: Duration,
        settle: Duration,
        delete_retention: Duration,
    ) -> Self {
        let upper = now.plus_millis(-millis(settle));
        let lower = watermark
            .filter(|mark| mark.plus_millis(millis(delete_retention)) >= now)
            .map(|mark| mark.plus_millis(-millis(lookback)).min(upper));
        Self { lower, upper }
    }

    /// Whether this window reads everything from the beginning.
    pub fn is_full(&self) -> bool {
        self.lower.is_none()
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const LOOKBACK: Duration = Duration::from_secs(600);
    const SETTLE: Duration = Duration::from_secs(120);
    const RETENTION: Duration = Duration::from_secs(15 * 24 * 3600);

    fn at(watermark: Option<Timestamp>, now: Timestamp) -> Window {
        Window::at(watermark, now, LOOKBACK, SETTLE, RETENTION)
    }

    #[test]
    fn the_first_run_is_a_full_pull_up_to_the_settled_past() {
        let now = Timestamp::from_millis(1_000 * MIN);
        let window = at(None, now);
        assert!(window.is_full());
        assert_eq!(window.upper, now.plus_millis(-2 * MIN));
    }

    #[test]
    fn later_runs_look_back_from_the_watermark() {
        let now = Timestamp::from_millis(1_000 * MIN);
        let mark = now.plus_millis(-60 * MIN);
        let window = at(Some(mark), now);
        assert_eq!(window.lower, Some(mark.plus_millis(-10 * MIN)));
        assert_eq!(window.upper, now.plus_millis(-2 * MIN));
    }

    #[test]
    fn a_watermark_in_the_future_never_inverts_the_window() {
        let now = Timestamp::from_millis(1_000 * MIN);
        let window = at(Some(now.plus_millis(60 * MIN)), now);
        assert_eq!(window.lower, Some(window.upper));
    }

    #[test]
    fn a_gap_longer_than_the_recycle_bin_forces_a_full_pull() {
        let now = Timestamp::from_millis(100_000 * MIN);
        let old = now.plus_millis(-16 * 24 * 60 * MIN);
        assert!(at(Some(old), now).is_full());
        let recent = now.plus_millis(-14 * 24 * 60 * MIN);
        assert!(!at(Some(recent), now).is_full());
    }
}
