//! Local edits waiting for a push: merged per customer, listed by id, cleared by version.

use expedite_core::store::{FieldChange, Store};
use futures::future::join_all;

use super::{T0, customer_id};

pub async fn local_edits_merge_per_customer_and_list_in_id_order(store: &dyn Store) {
    assert!(store.pending_edits(None, 10).await.unwrap().is_empty());
    let first = store
        .record_local_edit(
            &customer_id(2),
            vec![
                FieldChange::Name("Acme".into()),
                FieldChange::Phone(Some("+1 555 0100".into())),
            ],
            T0,
        )
        .await
        .unwrap();
    assert_eq!((first.version, first.edited_at), (1, T0));
    let merged = store
        .record_local_edit(
            &customer_id(2),
            vec![
                FieldChange::Phone(None),
                FieldChange::AnnualRevenue(Some(2.5e6)),
            ],
            T0.plus_millis(10),
        )
        .await
        .unwrap();
    assert_eq!(merged.version, 2);
    assert_eq!(merged.edited_at, T0.plus_millis(10));
    assert_eq!(
        merged.changes,
        vec![
            FieldChange::Name("Acme".into()),
            FieldChange::Phone(None),
            FieldChange::AnnualRevenue(Some(2.5e6)),
        ]
    );
    for n in [5, 1, 3] {
        store
            .record_local_edit(&customer_id(n), vec![FieldChange::Industry(None)], T0)
            .await
            .unwrap();
    }

    let all = store.pending_edits(None, 10).await.unwrap();
    let ids: Vec<_> = all.iter().map(|e| e.customer_id.clone()).collect();
    assert_eq!(
        ids,
        [1, 2, 3, 5].map(customer_id).to_vec(),
        "ordered by customer id"
    );
    assert_eq!(all[1], merged, "stored as returned");

    let first_two = store.pending_edits(None, 2).await.unwrap();
    assert_eq!(first_two.len(), 2);
    let rest = store
        .pending_edits(Some(&first_two[1].customer_id), 10)
        .await
        .unwrap();
    let ids: Vec<_> = rest.iter().map(|e| e.customer_id.clone()).collect();
    assert_eq!(ids, [3, 5].map(customer_id).to_vec());
}

pub async fn clearing_an_edit_keeps_changes_made_since(store: &dyn Store) {
    let id = customer_id(7);
    let pushed = store
        .record_local_edit(&id, vec![FieldChange::Name("Old".into())], T0)
        .await
        .unwrap();
    // A change arrives while the push of `pushed` is in flight.
    let newer = store
        .record_local_edit(
            &id,
            vec![FieldChange::Website(Some("https://new.test".into()))],
            T0.plus_millis(1),
        )
        .await
        .unwrap();
    assert!(!store.clear_local_edit(&id, pushed.version).await.unwrap());
    assert_eq!(
        store.pending_edits(None, 10).await.unwrap(),
        vec![newer.clone()]
    );

    assert!(store.clear_local_edit(&id, newer.version).await.unwrap());
    assert!(store.pending_edits(None, 10).await.unwrap().is_empty());
    assert!(
        !store.clear_local_edit(&id, newer.version).await.unwrap(),
        "already gone"
    );

    // A later edit starts again from version 1.
    let again = store
        .record_local_edit(&id, vec![FieldChange::Phone(None)], T0.plus_millis(5))
        .await
        .unwrap();
    assert_eq!(again.version, 1);
    assert_eq!(again.changes, vec![FieldChange::Phone(None)]);
}

pub async fn concurrent_edits_of_one_customer_lose_no_change(store: &dyn Store) {
    let id = customer_id(9);
    let changes = [
        FieldChange::Name("N".into()),
        FieldChange::AccountType(Some("Partner".into())),
        FieldChange::Industry(Some("Energy".into())),
        FieldChange::BillingCity(Some("Lyon".into())),
        FieldChange::BillingCountry(Some("FR".into())),
        FieldChange::Phone(Some("1".into())),
    ];
    let results = join_all(
        changes
            .iter()
            .map(|change| store.record_local_edit(&id, vec![change.clone()], T0)),
    )
    .await;
    let mut versions: Vec<u64> = results.into_iter().map(|r| r.unwrap().version).collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=6).collect::<Vec<_>>());
    let stored = store.pending_edits(None, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].version, 6);
    for change in &changes {
        assert!(stored[0].changes.contains(change), "{change:?} was lost");
    }
}
