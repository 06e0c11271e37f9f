//! The sync store's behaviour: runs, watermarks, leases.

use std::time::Duration;

use expedite_core::store::Store;
use expedite_domain::{
    Limit, PageRequest, SyncId, SyncIssue, SyncKind, SyncRun, SyncStatus, Timestamp, UserId,
};
use futures::future::join_all;

use super::T0;

fn run(at: Timestamp, kind: SyncKind) -> SyncRun {
    SyncRun::queued(
        SyncId::parse(uuid::Uuid::now_v7().to_string()).expect("uuid"),
        kind,
        (kind == SyncKind::Manual).then(|| UserId::parse("admin-1").expect("id")),
        at,
    )
}

pub async fn runs_are_listed_newest_first_and_replaced_by_id(store: &dyn Store) {
    let mut runs: Vec<SyncRun> = [0, 1, 1, 1, 2]
        .into_iter()
        .map(|s| run(T0.plus_millis(s * 1000), SyncKind::Scheduled))
        .collect();
    for r in &runs {
        store.put_sync_run(r).await.unwrap();
    }
    let mut finished = runs[2].clone();
    finished.status = SyncStatus::Completed;
    finished.pulled = 250;
    finished.deleted = 3;
    finished.window_start = Some(T0);
    finished.window_end = Some(T0.plus_millis(1000));
    finished.issues.push(SyncIssue {
        record_id: Some("001000000000001AAA".into()),
        code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
        message: "Website must be https".into(),
    });
    finished.updated_at = T0.plus_millis(9000);
    store.put_sync_run(&finished).await.unwrap();
    assert_eq!(
        store.get_sync_run(&finished.id).await.unwrap(),
        Some(finished.clone())
    );
    runs[2] = finished;

    runs.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let request = PageRequest {
            cursor,
            limit: Limit::parse(Some(2)).unwrap(),
        };
        let listing = store.list_sync_runs(&request).await.unwrap();
        seen.extend(listing.items);
        match listing.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, runs);
}

pub async fn watermarks_are_kept_per_object(store: &dyn Store) {
    assert_eq!(store.watermark("Account").await.unwrap(), None);
    store.set_watermark("Account", T0).await.unwrap();
    store
        .set_watermark("Contact", T0.plus_millis(5))
        .await
        .unwrap();
    store
        .set_watermark("Account", T0.plus_millis(10))
        .await
        .unwrap();
    assert_eq!(
        store.watermark("Account").await.unwrap(),
        Some(T0.plus_millis(10))
    );
    assert_eq!(
        store.watermark("Contact").await.unwrap(),
        Some(T0.plus_millis(5))
    );
}

pub async fn leases_exclude_other_holders_until_they_expire(store: &dyn Store) {
    let ttl = Duration::from_secs(60);
    assert!(
        store
            .acquire_lease("sync", "worker-a", ttl, T0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .acquire_lease("sync", "worker-b", ttl, T0.plus_millis(1000))
            .await
            .unwrap()
    );
    assert!(
        store
            .acquire_lease("other", "worker-b", ttl, T0)
            .await
            .unwrap(),
        "names are separate"
    );
    // The holder renews; the expiry moves.
    assert!(
        store
            .acquire_lease("sync", "worker-a", ttl, T0.plus_millis(50_000))
            .await
            .unwrap()
    );
    assert!(
        !store
            .acquire_lease("sync", "worker-b", ttl, T0.plus_millis(70_000))
            .await
            .unwrap()
    );
    // Expired: anyone may take it.
    assert!(
        store
            .acquire_lease("sync", "worker-b", ttl, T0.plus_millis(111_000))
            .await
            .unwrap()
    );
    // Releasing someone else's lease does nothing; releasing one's own frees it.
    store.release_lease("sync", "worker-a").await.unwrap();
    assert!(
        !store
            .acquire_lease("sync", "worker-a", ttl, T0.plus_millis(112_000))
            .await
            .unwrap()
    );
    store.release_lease("sync", "worker-b").await.unwrap();
    assert!(
        store
            .acquire_lease("sync", "worker-a", ttl, T0.plus_millis(113_000))
            .await
            .unwrap()
    );
}

pub async fn concurrent_lease_attempts_have_exactly_one_winner(store: &dyn Store) {
    let holders: Vec<String> = (0..8).map(|n| format!("worker-{n}")).collect();
    let attempts = holders
        .iter()
        .map(|holder| store.acquire_lease("sync", holder, Duration::from_secs(60), T0));
    let winners = join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
}
