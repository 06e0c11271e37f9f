//! The wall clock, in the domain's millisecond timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

use expedite_domain::Timestamp;

/// Now, as a [`Timestamp`].
pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        });
    Timestamp::from_millis(millis)
}
