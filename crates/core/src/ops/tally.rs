//! The process's running counts for the per-hour rollups, between two flushes.
//!
//! [`crate::metrics`] adds to [`Tally::global`] as events happen; the process flushes it into
//! the store's hour (see [`super::flush`]): every few seconds self-hosted, after each invocation
//! on Lambda. Names come from small fixed sets (see [`names`](super::names)), so the tally
//! holds a few dozen entries at most, however long a flush is delayed.

use std::{
    collections::BTreeMap,
    sync::{Mutex, OnceLock},
};

/// Counts to add and highs to keep, by rollup name.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counts {
    pub add: BTreeMap<String, u64>,
    pub max: BTreeMap<String, u64>,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.max.is_empty()
    }

    /// Folds `other` in: counts summed, highs kept.
    pub fn merge(&mut self, other: Counts) {
        for (name, n) in other.add {
            *self.add.entry(name).or_default() += n;
        }
        for (name, n) in other.max {
            let high = self.max.entry(name).or_default();
            *high = (*high).max(n);
        }
    }
}

/// Counts shared by everything in the process.
#[derive(Debug, Default)]
pub struct Tally {
    counts: Mutex<Counts>,
}

impl Tally {
    /// The process's tally.
    pub fn global() -> &'static Tally {
        static GLOBAL: OnceLock<Tally> = OnceLock::new();
        GLOBAL.get_or_init(Tally::default)
    }

    pub fn add(&self, name: impl Into<String> + AsRef<str>, n: u64) {
        if n == 0 {
            return;
        }
        let mut counts = self.lock();
        match counts.add.get_mut(name.as_ref()) {
            Some(count) => *count += n,
            None => {
                counts.add.insert(name.into(), n);
            }
        }
    }

    /// Keeps the highest `value` seen for `name` until the next flush.
    pub fn high(&self, name: &str, value: u64) {
        let mut counts = self.lock();
        let high = counts.max.entry(name.to_owned()).or_default();
        *high = (*high).max(value);
    }

    /// Everything counted since the last take, leaving the tally empty.
    pub fn take(&self) -> Counts {
        std::mem::take(&mut *self.lock())
    }

    /// Puts back counts a flush could not store, to go with the next one.
    pub fn restore(&self, counts: Counts) {
        self.lock().merge(counts);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: every update is one insert.
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_highs_keep_the_largest_and_take_empties() {
        let tally = Tally::default();
        tally.add("queries.completed", 2);
        tally.add("queries.completed", 3);
        tally.add("queries.failed", 0);
        tally.high("queue.waiting", 7);
        tally.high("queue.waiting", 4);
        let counts = tally.take();
        assert_eq!(counts.add.get("queries.completed"), Some(&5));
        assert!(!counts.add.contains_key("queries.failed"));
        assert_eq!(counts.max.get("queue.waiting"), Some(&7));
        assert!(tally.take().is_empty());
    }

    #[test]
    fn restored_counts_join_what_came_since() {
        let tally = Tally::default();
        tally.add("queries.submitted", 1);
        tally.high("queue.waiting", 9);
        let unsaved = tally.take();
        tally.add("queries.submitted", 2);
        tally.high("queue.waiting", 3);
        tally.restore(unsaved);
        let counts = tally.take();
        assert_eq!(counts.add.get("queries.submitted"), Some(&3));
        assert_eq!(counts.max.get("queue.waiting"), Some(&9));
    }
}
