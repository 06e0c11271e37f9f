//! Opaque page cursors: base64url of a small JSON document naming the listing and its position.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The position after the last item of a page, and which listing it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The listing this cursor continues (e.g. `queries`, `customers:name_asc:acme`); a cursor
    /// presented to another listing is refused.
    #[serde(rename = "l")]
    pub listing: String,
    /// Backend-specific key values of the last item.
    #[serde(rename = "k")]
    pub key: serde_json::Value,
}

/// Encodes a cursor for a client.
pub fn encode_cursor(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).expect("a cursor serialises"))
}

/// Decodes a client's cursor and checks it belongs to `listing`.
pub fn decode_cursor(text: &str, listing: &str) -> Result<serde_json::Value, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|_| StoreError::InvalidCursor)?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
    if cursor.listing != listing {
        return Err(StoreError::InvalidCursor);
    }
    Ok(cursor.key)
}

/// Turns `limit + 1` fetched items into a page: the extra item only says that another page
/// exists, and the cursor points after the last item kept.
pub fn page_from<T>(
    mut items: Vec<T>,
    limit: u32,
    listing: &str,
    key_of: impl Fn(&T) -> serde_json::Value,
) -> expedite_domain::Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| {
            encode_cursor(&Cursor {
                listing: listing.to_owned(),
                key: key_of(last),
            })
        })
    } else {
        None
    };
    expedite_domain::Page { items, next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_listing() {
        let cursor = Cursor {
            listing: "queries".into(),
            key: serde_json::json!([1, "a"]),
        };
        let text = encode_cursor(&cursor);
        assert_eq!(decode_cursor(&text, "queries").unwrap(), cursor.key);
        assert!(matches!(
            decode_cursor(&text, "customers"),
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            decode_cursor("!!!", "queries"),
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            decode_cursor("e30", "queries"),
            Err(StoreError::InvalidCursor)
        ));
    }
}
