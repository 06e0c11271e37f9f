//! The identity store's behaviour: users unique by email, refresh tokens used once. Only the
//! embedded store keeps the built-in provider's accounts.

use expedite_core::store::{Consumed, IdentityStore, RefreshToken, StoreError};
use expedite_domain::{Email, User, UserId};
use futures::future::join_all;

use super::T0;

fn user(id: &str, email: &str) -> User {
    User {
        id: UserId::parse(id).expect("id"),
        email: Email::parse(email).expect("email"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
        groups: vec!["users".into()],
        created_at: T0,
    }
}

fn token(hash: &str, user: &str, family: &str, expires_in_ms: i64) -> RefreshToken {
    RefreshToken {
        token_hash: hash.into(),
        user_id: UserId::parse(user).expect("id"),
        family: family.into(),
        expires_at: T0.plus_millis(expires_in_ms),
    }
}

pub async fn users_are_unique_by_id_and_email(store: &dyn IdentityStore) {
    let alice = user("u-alice", "alice@example.com");
    store.create_user(&alice).await.unwrap();
    let same_email = user("u-other", "ALICE@example.com");
    assert!(matches!(
        store.create_user(&same_email).await,
        Err(StoreError::Conflict(_))
    ));
    let same_id = user("u-alice", "alice2@example.com");
    assert!(matches!(
        store.create_user(&same_id).await,
        Err(StoreError::Conflict(_))
    ));

    let found = store
        .user_by_email(&Email::parse(" Alice@Example.com").unwrap())
        .await
        .unwrap();
    assert_eq!(found, Some(alice.clone()));
    assert_eq!(
        store.user_by_id(&alice.id).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        store
            .user_by_email(&Email::parse("bob@example.com").unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .user_by_id(&UserId::parse("u-other").unwrap())
            .await
            .unwrap(),
        None
    );

    let groups = vec!["admins".to_owned(), "users".to_owned()];
    assert!(store.set_user_groups(&alice.id, &groups).await.unwrap());
    assert!(
        store
            .set_password_hash(&alice.id, "$argon2id$new")
            .await
            .unwrap()
    );
    let updated = store.user_by_id(&alice.id).await.unwrap().unwrap();
    assert_eq!(updated.groups, groups);
    assert_eq!(updated.password_hash, "$argon2id$new");
    store
        .create_user(&user("u-zed", "zed@example.com"))
        .await
        .unwrap();
    store
        .create_user(&user("u-bob", "bob@example.com"))
        .await
        .unwrap();
    let emails: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email.as_str().to_owned())
        .collect();
    assert_eq!(
        emails,
        ["alice@example.com", "bob@example.com", "zed@example.com"]
    );
    let nobody = UserId::parse("u-nobody").unwrap();
    assert!(!store.set_user_groups(&nobody, &groups).await.unwrap());
    assert!(!store.set_password_hash(&nobody, "x").await.unwrap());
}

pub async fn refresh_tokens_are_used_once_and_reuse_revokes_the_family(store: &dyn IdentityStore) {
    store
        .create_user(&user("u-1", "one@example.com"))
        .await
        .unwrap();
    let first = token("hash-1", "u-1", "fam-a", 60_000);
    let sibling = token("hash-2", "u-1", "fam-a", 60_000);
    let other_family = token("hash-3", "u-1", "fam-b", 60_000);
    for t in [&first, &sibling, &other_family] {
        store.save_refresh_token(t).await.unwrap();
    }

    assert_eq!(
        store.consume_refresh_token("hash-1", T0).await.unwrap(),
        Consumed::Valid(first.clone())
    );
    assert_eq!(
        store.consume_refresh_token("hash-1", T0).await.unwrap(),
        Consumed::Reused {
            user_id: first.user_id.clone(),
            family: "fam-a".into()
        },
        "a replayed token is detected"
    );
    assert_eq!(
        store.consume_refresh_token("hash-2", T0).await.unwrap(),
        Consumed::Invalid,
        "family revoked"
    );
    let late = token("hash-4", "u-1", "fam-a", 60_000);
    store.save_refresh_token(&late).await.unwrap();
    assert_eq!(
        store.consume_refresh_token("hash-4", T0).await.unwrap(),
        Consumed::Invalid,
        "born revoked"
    );
    assert!(
        matches!(
            store.consume_refresh_token("hash-3", T0).await.unwrap(),
            Consumed::Valid(_)
        ),
        "other families live"
    );

    store
        .save_refresh_token(&token("hash-5", "u-1", "fam-c", 60_000))
        .await
        .unwrap();
    store.revoke_refresh_family("fam-c").await.unwrap();
    assert_eq!(
        store.consume_refresh_token("hash-5", T0).await.unwrap(),
        Consumed::Invalid,
        "signed out"
    );
}

pub async fn expired_and_unknown_refresh_tokens_are_invalid(store: &dyn IdentityStore) {
    store
        .create_user(&user("u-2", "two@example.com"))
        .await
        .unwrap();
    store
        .save_refresh_token(&token("hash-old", "u-2", "fam", 1_000))
        .await
        .unwrap();
    assert_eq!(
        store
            .consume_refresh_token("hash-old", T0.plus_millis(1_000))
            .await
            .unwrap(),
        Consumed::Invalid
    );
    assert_eq!(
        store
            .consume_refresh_token("no-such-hash", T0)
            .await
            .unwrap(),
        Consumed::Invalid
    );
}

pub async fn concurrent_refreshes_have_exactly_one_winner(store: &dyn IdentityStore) {
    store
        .create_user(&user("u-3", "three@example.com"))
        .await
        .unwrap();
    store
        .save_refresh_token(&token("hash-race", "u-3", "fam", 60_000))
        .await
        .unwrap();
    let attempts = (0..6).map(|_| store.consume_refresh_token("hash-race", T0));
    let valid = join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .filter(|c| matches!(c, Consumed::Valid(_)))
        .count();
    assert_eq!(valid, 1);
}
