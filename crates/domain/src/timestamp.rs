//! Instants in UTC with millisecond precision, written as RFC 3339 on the wire.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

/// Milliseconds since the Unix epoch, UTC. Ordered, cheap to store and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = DateTime))]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339, including Salesforce's `2024-05-01T10:00:00.000+0000` form.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let normalised = normalise_offset(text);
        let parsed = OffsetDateTime::parse(&normalised, &Rfc3339)
            .map_err(|_| TimestampError(text.to_owned()))?;
        let millis = parsed.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis)
            .map(Self)
            .map_err(|_| TimestampError(text.to_owned()))
    }

    /// `2024-05-01T10:00:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(at) => {
                let (h, m, s, ms) = (at.hour(), at.minute(), at.second(), at.millisecond());
                format!(
                    "{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z",
                    at.year(),
                    u8::from(at.month()),
                    at.day()
                )
            }
            Err(_) => String::from("invalid"),
        }
    }

    /// This instant moved by `millis` (negative for earlier), saturating.
    pub const fn plus_millis(self, millis: i64) -> Self {
        Self(self.0.saturating_add(millis))
    }
}

/// `+0000` → `+00:00`, which RFC 3339 requires and Salesforce omits.
fn normalise_offset(text: &str) -> String {
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n > 5
        && (bytes[n - 5] == b'+' || bytes[n - 5] == b'-')
        && bytes[n - 4..].iter().all(u8::is_ascii_digit)
    {
        format!("{}:{}", &text[..n - 2], &text[n - 2..])
    } else {
        text.to_owned()
    }
}

/// Text that is not an RFC 3339 instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 timestamp: {0:?}")]
pub struct TimestampError(String);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let at = Timestamp::parse("2024-05-01T10:00:00.123Z").unwrap();
        assert_eq!(at.to_rfc3339(), "2024-05-01T10:00:00.123Z");
        assert_eq!(Timestamp::parse(&at.to_rfc3339()).unwrap(), at);
    }

    #[test]
    fn accepts_salesforce_offsets() {
        let sf = Timestamp::parse("2024-05-01T12:00:00.000+0200").unwrap();
        assert_eq!(sf, Timestamp::parse("2024-05-01T10:00:00Z").unwrap());
    }

    #[test]
    fn rejects_garbage() {
        for text in ["", "yesterday", "2024-13-01T00:00:00Z", "2024-05-01"] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn orders_by_time() {
        let a = Timestamp::from_millis(1);
        assert!(a < a.plus_millis(1));
        assert_eq!(
            Timestamp::from_millis(i64::MAX).plus_millis(5).as_millis(),
            i64::MAX
        );
    }
}
