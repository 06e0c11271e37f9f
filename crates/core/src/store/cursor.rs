//! Opaque page cursors: base64url of a small JSON document naming the listing and its position.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// A position in a listing, and which listing it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The listing this cursor continues (e.g. `queries`, `customers:name_asc:acme`); a cursor
    /// presented to another listing is refused.
    #[serde(rename = "l")]
    pub listing: String,
    /// Backend-specific key values of an item: the last of a page, or for a `before` cursor
    /// the first.
    #[serde(rename = "k")]
    pub key: serde_json::Value,
    /// The page wanted ends before `key` (a "previous page" link) instead of starting after it.
    #[serde(rename = "b", default, skip_serializing_if = "std::ops::Not::not")]
    pub before: bool,
}

/// Where a decoded cursor points.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub key: serde_json::Value,
    pub before: bool,
}

/// Encodes a cursor for a client.
pub fn encode_cursor(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).expect("a cursor serialises"))
}

/// Decodes a client's forward cursor and checks it belongs to `listing`.
pub fn decode_cursor(text: &str, listing: &str) -> Result<serde_json::Value, StoreError> {
    let position = decode_position(text, listing)?;
    if position.before {
        return Err(StoreError::InvalidCursor);
    }
    Ok(position.key)
}

/// Decodes a client's cursor of either direction and checks it belongs to `listing`.
pub fn decode_position(text: &str, listing: &str) -> Result<Position, StoreError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|_| StoreError::InvalidCursor)?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
    if cursor.listing != listing {
        return Err(StoreError::InvalidCursor);
    }
    Ok(Position {
        key: cursor.key,
        before: cursor.before,
    })
}

fn cursor_at(listing: &str, key: serde_json::Value, before: bool) -> String {
    encode_cursor(&Cursor {
        listing: listing.to_owned(),
        key,
        before,
    })
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
        items
            .last()
            .map(|last| cursor_at(listing, key_of(last), false))
    } else {
        None
    };
    expedite_domain::Page {
        items,
        next_cursor,
        prev_cursor: None,
    }
}

/// A page of a listing that goes both ways. `items` holds up to `limit + 1` items as fetched:
/// after the cursor in the listing's order, or, for a `before` cursor, before it in reverse
/// order (nearest first). The page comes back in the listing's order with a cursor after its
/// last item when more follow, and one before its first item when more precede it.
pub fn two_way_page<T>(
    mut items: Vec<T>,
    limit: u32,
    listing: &str,
    from: Option<&Position>,
    key_of: impl Fn(&T) -> serde_json::Value,
) -> expedite_domain::Page<T> {
    let limit = limit as usize;
    let more = items.len() > limit;
    items.truncate(limit);
    let before = from.is_some_and(|from| from.before);
    if before {
        items.reverse();
    }
    // Going back, whatever the cursor pointed at follows; going forward, what it came after
    // precedes.
    let (more_after, more_before) = if before {
        (true, more)
    } else {
        (more, from.is_some())
    };
    let next_cursor = more_after
        .then(|| {
            items
                .last()
                .map(|last| cursor_at(listing, key_of(last), false))
        })
        .flatten();
    let prev_cursor = more_before
        .then(|| {
            items
                .first()
                .map(|first| cursor_at(listing, key_of(first), true))
        })
        .flatten();
    expedite_domain::Page {
        items,
        next_cursor,
        prev_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_listing() {
        let cursor = Cursor {
            listing: "queries".into(),
            key: serde_json::json!([1, "a"]),
            before: false,
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

    #[test]
    fn a_before_cursor_is_refused_where_only_forward_ones_are_known() {
        let text = cursor_at("queries", serde_json::json!(1), true);
        assert!(matches!(
            decode_cursor(&text, "queries"),
            Err(StoreError::InvalidCursor)
        ));
        assert!(decode_position(&text, "queries").unwrap().before);
    }

    #[test]
    fn two_way_pages_link_both_ways() {
        let key = |n: &u32| serde_json::json!(n);
        // First page: nothing before, more after.
        let first = two_way_page(vec![1, 2, 3], 2, "l", None, key);
        assert_eq!(first.items, vec![1, 2]);
        assert!(first.prev_cursor.is_none());
        let next = decode_position(first.next_cursor.as_deref().unwrap(), "l").unwrap();
        assert_eq!(
            next,
            Position {
                key: key(&2),
                before: false
            }
        );
        // Last page reached forward: something before, nothing after.
        let last = two_way_page(vec![3], 2, "l", Some(&next), key);
        assert!(last.next_cursor.is_none());
        let back = decode_position(last.prev_cursor.as_deref().unwrap(), "l").unwrap();
        assert_eq!(
            back,
            Position {
                key: key(&3),
                before: true
            }
        );
        // Going back from 3 fetches 2, 1 (nearest first) and nothing more: the first page.
        let again = two_way_page(vec![2, 1], 2, "l", Some(&back), key);
        assert_eq!(again.items, vec![1, 2]);
        assert!(again.prev_cursor.is_none());
        assert!(again.next_cursor.is_some());
    }
}
