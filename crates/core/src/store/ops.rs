//! The per-hour rollups behind the Operations page: counts added by every process and highs
//! kept, one record per UTC hour, so the page works on both backends and survives restarts.

use std::{collections::BTreeMap, time::Duration};

use async_trait::async_trait;
use expedite_domain::Timestamp;

use super::StoreError;
use crate::ops::Counts;

/// How long an hour's rollup is kept (the store may drop it afterwards).
pub const OPS_RETENTION: Duration = Duration::from_secs(400 * 24 * 3600);

/// One hour as stored: each name's count or high.
#[derive(Debug, Clone, PartialEq)]
pub struct HourRollup {
    /// The hour's start (UTC).
    pub hour: Timestamp,
    pub values: BTreeMap<String, u64>,
}

#[async_trait]
pub trait OpsStore: Send + Sync {
    /// Adds `counts.add` to the hour starting at `hour` and raises its highs to `counts.max`,
    /// creating the hour if need be. Processes add to one hour concurrently; none is lost.
    async fn add_to_hour(&self, hour: Timestamp, counts: &Counts) -> Result<(), StoreError>;

    /// The hours in `[from, to)` with anything recorded, oldest first.
    async fn hours(&self, from: Timestamp, to: Timestamp) -> Result<Vec<HourRollup>, StoreError>;
}
