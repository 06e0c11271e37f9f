//! Tokens that already passed verification, remembered until they expire, so that a session
//! costs one RSA signature check rather than one per request.
//!
//! Keyed by the SHA-256 of the whole token (any change to it misses). Cleared whenever the
//! issuer's keys are refreshed, so a retired key stops working at once.

use std::{collections::HashMap, sync::Mutex};

use expedite_core::identity::Caller;
use sha2::{Digest, Sha256};

use crate::TokenUse;

/// At most this many tokens are remembered; a full cache drops the expired ones, then all.
const CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct VerifiedCache {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

#[derive(Debug, Clone)]
struct Entry {
    caller: Caller,
    token_use: TokenUse,
    /// Unix seconds; past it the token is verified afresh (and then refused).
    expires_at: i64,
}

impl VerifiedCache {
    pub(crate) fn get(&self, token: &str, expected: TokenUse, now: i64) -> Option<Caller> {
        let entries = self.entries.lock().expect("cache lock");
        entries
            .get(&digest(token))
            .filter(|entry| entry.token_use == expected && now < entry.expires_at)
            .map(|entry| entry.caller.clone())
    }

    pub(crate) fn insert(
        &self,
        token: &str,
        token_use: TokenUse,
        expires_at: i64,
        caller: &Caller,
        now: i64,
    ) {
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= CAPACITY {
            entries.retain(|_, entry| now < entry.expires_at);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            digest(token),
            Entry {
                caller: caller.clone(),
                token_use,
                expires_at,
            },
        );
    }

    pub(crate) fn clear(&self) {
        self.entries.lock().expect("cache lock").clear();
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use expedite_domain::{Role, UserId};

    use super::*;

    fn caller() -> Caller {
        Caller {
            user_id: UserId::parse("u-1").unwrap(),
            username: "u".into(),
            email: None,
            groups: Vec::new(),
            role: Role::User,
        }
    }

    #[test]
    fn remembers_tokens_for_their_use_until_they_expire() {
        let cache = VerifiedCache::default();
        cache.insert("a.b.c", TokenUse::Access, 100, &caller(), 10);
        assert_eq!(cache.get("a.b.c", TokenUse::Access, 99), Some(caller()));
        assert_eq!(
            cache.get("a.b.c", TokenUse::Id, 50),
            None,
            "another use is verified afresh"
        );
        assert_eq!(cache.get("a.b.c", TokenUse::Access, 100), None, "expired");
        assert_eq!(
            cache.get("a.b.d", TokenUse::Access, 50),
            None,
            "any change misses"
        );
        cache.clear();
        assert_eq!(cache.get("a.b.c", TokenUse::Access, 50), None);
    }

    #[test]
    fn a_full_cache_makes_room() {
        let cache = VerifiedCache::default();
        for n in 0..CAPACITY + 5 {
            cache.insert(&format!("t{n}"), TokenUse::Access, 100, &caller(), 10);
        }
        assert!(cache.entries.lock().unwrap().len() <= CAPACITY);
        assert!(
            cache
                .get(&format!("t{}", CAPACITY + 4), TokenUse::Access, 50)
                .is_some()
        );
    }
}
