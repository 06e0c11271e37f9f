//! Identifiers, parsed once at the edge so that the rest of the code can trust them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An id that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {value:?}")]
pub struct InvalidId {
    pub kind: &'static str,
    pub value: String,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        pub struct $name(String);

        impl $name {
            /// Validates `value` as this kind of id.
            pub fn parse(value: impl Into<String>) -> Result<Self, InvalidId> {
                let value = value.into();
                let check: fn(&str) -> bool = $check;
                if check(&value) {
                    Ok(Self(value))
                } else {
                    Err(InvalidId { kind: $kind, value })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(value: String) -> Result<Self, InvalidId> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A lowercase hyphenated UUID, as our own ids are generated.
fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// A Salesforce record id: 15 (case-sensitive) or 18 (case-safe) alphanumerics.
fn is_salesforce_id(value: &str) -> bool {
    matches!(value.len(), 15 | 18) && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A user's stable subject (`sub` claim): printable ASCII without spaces, at most 128 bytes.
fn is_subject(value: &str) -> bool {
    !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic())
}

id_type!(
    /// An AI query.
    QueryId, "query id", is_uuid
);
id_type!(
    /// A Salesforce sync run.
    SyncId, "sync id", is_uuid
);
id_type!(
    /// A customer: the Salesforce Account Id.
    CustomerId, "customer id", is_salesforce_id
);
id_type!(
    /// A user: the token's `sub`.
    UserId, "user id", is_subject
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids_parse_and_round_trip_through_json() {
        let id = QueryId::parse("0192f0c4-1c2b-7def-8a9b-0123456789ab").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<QueryId>(&json).unwrap(), id);
        assert!(CustomerId::parse("001000000000001AAA").is_ok());
        assert!(CustomerId::parse("001000000000001").is_ok());
        assert!(UserId::parse("a1b2c3d4-user").is_ok());
    }

    #[test]
    fn invalid_ids_are_refused_with_their_kind() {
        let error = QueryId::parse("../../etc/passwd").unwrap_err();
        assert_eq!(error.kind, "query id");
        assert!(QueryId::parse("0192F0C4-1C2B-7DEF-8A9B-0123456789AB").is_err());
        assert!(CustomerId::parse("001'; DROP TABLE--").is_err());
        assert!(CustomerId::parse("0010000000000").is_err());
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("has space").is_err());
        assert!(serde_json::from_str::<SyncId>("\"nope\"").is_err());
    }
}
