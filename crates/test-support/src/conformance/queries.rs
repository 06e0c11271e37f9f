//! The AI query store's behaviour.

use std::collections::HashSet;

use expedite_core::store::{Answer, Created, IDEMPOTENCY_WINDOW, NewQuery, Store, StoreError};
use expedite_domain::{
    Limit, PageRequest, Prompt, QueryId, QueryStatus, Timestamp, TokenUsage, UserId,
};
use futures::future::join_all;

use super::{T0, customer_id};

fn new_id() -> QueryId {
    QueryId::parse(uuid::Uuid::now_v7().to_string()).expect("uuid")
}

fn user(name: &str) -> UserId {
    UserId::parse(name).expect("user id")
}

fn new_query(owner: &str, key: Option<&str>, now: Timestamp) -> NewQuery {
    NewQuery {
        id: new_id(),
        owner: user(owner),
        prompt: Prompt::parse("Which manufacturing accounts over $5M have not changed in 90 days?")
            .expect("prompt"),
        idempotency_key: key.map(str::to_owned),
        now,
    }
}

fn page(limit: u32, cursor: Option<String>) -> PageRequest {
    PageRequest {
        cursor,
        limit: Limit::parse(Some(limit)).expect("limit"),
    }
}

pub async fn create_then_get_round_trips(store: &dyn Store) {
    let new = new_query("alice", None, T0);
    let created = store.create_query(new.clone()).await.unwrap();
    let Created::New(created) = created else {
        panic!("a fresh query is new")
    };
    assert_eq!(created.status, QueryStatus::Queued);
    assert_eq!(created.attempts, 0);
    assert_eq!(store.get_query(&new.id).await.unwrap(), Some(created));
    assert_eq!(store.get_query(&new_id()).await.unwrap(), None);
}

pub async fn history_is_newest_first_and_pages_across_equal_timestamps(store: &dyn Store) {
    // Seven queries, four sharing one timestamp, and someone else's in between.
    let times = [0, 1, 1, 1, 1, 2, 3].map(|s| T0.plus_millis(s * 1000));
    let mut ids = Vec::new();
    for at in times {
        let new = new_query("alice", None, at);
        ids.push((at, new.id.clone()));
        store.create_query(new).await.unwrap();
        store
            .create_query(new_query("bob", None, at))
            .await
            .unwrap();
    }
    ids.sort_by(|a, b| b.cmp(a));

    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let listing = store
            .list_queries(&user("alice"), &page(3, cursor))
            .await
            .unwrap();
        assert!(listing.items.len() <= 3);
        assert!(listing.items.iter().all(|q| q.owner == user("alice")));
        seen.extend(listing.items.into_iter().map(|q| (q.created_at, q.id)));
        pages += 1;
        match listing.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination must end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids, "newest first, ties by id, each exactly once");
    let empty = store
        .list_queries(&user("carol"), &page(3, None))
        .await
        .unwrap();
    assert!(empty.items.is_empty() && empty.next_cursor.is_none());
}

pub async fn idempotency_keys_return_the_first_query_per_owner_within_the_window(
    store: &dyn Store,
) {
    let first = store
        .create_query(new_query("alice", Some("key-1"), T0))
        .await
        .unwrap();
    let Created::New(first) = first else {
        panic!("first use is new")
    };
    let again = store
        .create_query(new_query("alice", Some("key-1"), T0.plus_millis(60_000)))
        .await
        .unwrap();
    assert_eq!(again, Created::Existing(first.clone()));

    let other_owner = store
        .create_query(new_query("bob", Some("key-1"), T0))
        .await
        .unwrap();
    assert!(matches!(other_owner, Created::New(ref q) if q.id != first.id));

    let window = i64::try_from(IDEMPOTENCY_WINDOW.as_millis()).unwrap();
    let later = store
        .create_query(new_query(
            "alice",
            Some("key-1"),
            T0.plus_millis(window + 1),
        ))
        .await
        .unwrap();
    assert!(
        matches!(later, Created::New(ref q) if q.id != first.id),
        "expired keys are reusable"
    );
}

pub async fn concurrent_creates_with_one_key_make_one_query(store: &dyn Store) {
    let attempts = (0..6).map(|_| store.create_query(new_query("alice", Some("double-click"), T0)));
    let results: Vec<_> = join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let new = results
        .iter()
        .filter(|r| matches!(r, Created::New(_)))
        .count();
    let ids: HashSet<_> = results.into_iter().map(|r| r.into_inner().id).collect();
    assert_eq!(new, 1, "exactly one request creates");
    assert_eq!(ids.len(), 1, "all get the same query");
    let listing = store
        .list_queries(&user("alice"), &page(10, None))
        .await
        .unwrap();
    assert_eq!(listing.items.len(), 1);
}

pub async fn transitions_are_conditional(store: &dyn Store) {
    let answer = Answer {
        text: "Acme and Globex.".into(),
        citations: vec![customer_id(1), customer_id(2)],
        model: "gpt-test".into(),
        usage: TokenUsage {
            prompt_tokens: 120,
            completion_tokens: 30,
        },
    };
    let q = store
        .create_query(new_query("alice", None, T0))
        .await
        .unwrap()
        .into_inner();
    let t1 = T0.plus_millis(1000);

    assert!(
        !store.complete_query(&q.id, 0, &answer, t1).await.unwrap(),
        "QUEUED cannot complete"
    );
    let running = store
        .start_query(&q.id, 0, t1, T0)
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(
        (running.status, running.attempts),
        (QueryStatus::Running, 1)
    );
    assert_eq!(running.updated_at, t1);
    assert!(
        store.start_query(&q.id, 0, t1, t1).await.unwrap().is_none(),
        "stale claim refused"
    );
    assert!(
        store.start_query(&q.id, 1, t1, t1).await.unwrap().is_none(),
        "a claim that is still live is left to its delivery"
    );

    // A redelivery after a crash takes over the running query with the next attempt.
    let t2 = t1.plus_millis(1000);
    let retaken = store
        .start_query(&q.id, 1, t2, t2)
        .await
        .unwrap()
        .expect("retaken");
    assert_eq!(retaken.attempts, 2);
    assert!(
        !store.complete_query(&q.id, 1, &answer, t1).await.unwrap(),
        "old attempt fenced off"
    );
    assert!(!store.fail_query(&q.id, Some(1), "late", t1).await.unwrap());
    assert!(store.complete_query(&q.id, 2, &answer, t1).await.unwrap());

    let done = store.get_query(&q.id).await.unwrap().unwrap();
    assert_eq!(done.status, QueryStatus::Completed);
    assert_eq!(done.answer.as_deref(), Some("Acme and Globex."));
    assert_eq!(done.citations, answer.citations);
    assert_eq!(done.model.as_deref(), Some("gpt-test"));
    assert_eq!(done.usage, Some(answer.usage));
    assert!(
        store.start_query(&q.id, 2, t2, t2).await.unwrap().is_none(),
        "terminal stays terminal"
    );
    assert!(!store.fail_query(&q.id, None, "too late", t1).await.unwrap());

    let other = store
        .create_query(new_query("alice", None, T0))
        .await
        .unwrap()
        .into_inner();
    assert!(
        store
            .fail_query(&other.id, None, "The model key is invalid.", t1)
            .await
            .unwrap()
    );
    let failed = store.get_query(&other.id).await.unwrap().unwrap();
    assert_eq!(failed.status, QueryStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("The model key is invalid."));
    assert!(
        !store
            .complete_query(&new_id(), 1, &answer, t1)
            .await
            .unwrap(),
        "missing query"
    );
}

pub async fn concurrent_starts_have_exactly_one_winner(store: &dyn Store) {
    let q = store
        .create_query(new_query("alice", None, T0))
        .await
        .unwrap()
        .into_inner();
    let claims = (0..8).map(|_| store.start_query(&q.id, 0, T0, T0));
    let winners = join_all(claims)
        .await
        .into_iter()
        .map(Result::unwrap)
        .filter(Option::is_some)
        .count();
    assert_eq!(winners, 1);
    assert_eq!(store.get_query(&q.id).await.unwrap().unwrap().attempts, 1);
}

pub async fn bad_cursors_are_refused(store: &dyn Store) {
    for cursor in ["garbage", "eyJsIjoiY3VzdG9tZXJzIiwiayI6MX0", ""] {
        let result = store
            .list_queries(&user("alice"), &page(5, Some(cursor.into())))
            .await;
        assert!(
            matches!(result, Err(StoreError::InvalidCursor)),
            "{cursor:?}: {result:?}"
        );
    }
}

pub async fn a_failed_attempt_waits_queued_with_its_notice(store: &dyn Store) {
    let q = store
        .create_query(new_query("alice", None, T0))
        .await
        .unwrap()
        .into_inner();
    let t1 = T0.plus_millis(1000);
    let retry_at = T0.plus_millis(21_000);
    let notice = "the AI provider is rate limiting requests";
    assert!(
        !store
            .requeue_query(&q.id, 0, notice, retry_at, t1)
            .await
            .unwrap(),
        "only a running attempt can wait"
    );
    store.start_query(&q.id, 0, t1, T0).await.unwrap().unwrap();
    assert!(
        !store
            .requeue_query(&q.id, 2, notice, retry_at, t1)
            .await
            .unwrap(),
        "another attempt's claim"
    );
    assert!(
        store
            .requeue_query(&q.id, 1, notice, retry_at, t1)
            .await
            .unwrap()
    );
    let waiting = store.get_query(&q.id).await.unwrap().unwrap();
    assert_eq!((waiting.status, waiting.attempts), (QueryStatus::Queued, 1));
    assert_eq!(waiting.notice.as_deref(), Some(notice));
    assert_eq!(waiting.retry_at, Some(retry_at));

    // The next delivery claims it at once (a waiting query has no live claim) and clears why.
    let t2 = T0.plus_millis(22_000);
    let again = store.start_query(&q.id, 1, t2, T0).await.unwrap().unwrap();
    assert_eq!((again.status, again.attempts), (QueryStatus::Running, 2));
    assert_eq!((again.notice, again.retry_at), (None, None));
}

pub async fn queued_queries_are_listed_by_when_they_are_due(store: &dyn Store) {
    // Own owners and far-off times, so other tests' queries in a shared table do not mix in.
    let base = T0.plus_millis(-1_000_000_000);
    let mut made = Vec::new();
    for (i, offset) in [5_000, 1_000, 3_000].into_iter().enumerate() {
        let new = new_query(&format!("sweep-{i}"), None, base.plus_millis(offset));
        made.push(store.create_query(new).await.unwrap().into_inner());
    }
    // One started and waiting until later, one finished: neither is due by `base + 10 s`.
    let started = made[1].clone();
    store
        .start_query(&started.id, 0, base.plus_millis(6_000), base)
        .await
        .unwrap()
        .unwrap();
    let later = base.plus_millis(60_000);
    store
        .requeue_query(&started.id, 1, "waiting", later, base.plus_millis(7_000))
        .await
        .unwrap();
    store
        .fail_query(&made[2].id, None, "no", base.plus_millis(8_000))
        .await
        .unwrap();

    let due = store
        .queued_queries(base.plus_millis(10_000), 100)
        .await
        .unwrap();
    let ids: Vec<&QueryId> = due.iter().map(|query| &query.id).collect();
    assert_eq!(
        ids,
        vec![&made[0].id],
        "only the never-tried QUEUED query is due"
    );
    let due = store
        .queued_queries(base.plus_millis(70_000), 100)
        .await
        .unwrap();
    let ids: Vec<&QueryId> = due.iter().map(|query| &query.id).collect();
    assert_eq!(
        ids,
        vec![&made[0].id, &started.id],
        "oldest due first; the waiting one once its retry is due"
    );
    assert_eq!(
        store
            .queued_queries(base.plus_millis(70_000), 1)
            .await
            .unwrap()
            .len(),
        1
    );
}
