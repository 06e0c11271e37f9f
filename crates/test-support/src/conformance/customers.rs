//! The customer store's behaviour.

use std::collections::HashSet;

use expedite_core::store::{Store, StoreError, UpsertReport};
use expedite_domain::{Customer, CustomerFilter, CustomerSort, Limit, PageRequest};

use super::{T0, customer, customer_id};

pub(super) fn page(limit: u32, cursor: Option<String>) -> PageRequest {
    PageRequest {
        cursor,
        limit: Limit::parse(Some(limit)).expect("limit"),
    }
}

/// Every page of a listing, following cursors to the end.
pub(super) async fn list_all(
    store: &dyn Store,
    filter: &CustomerFilter,
    limit: u32,
) -> Vec<Customer> {
    let mut all = Vec::new();
    let mut cursor = None;
    for _ in 0..1000 {
        let listing = store
            .list_customers(filter, &page(limit, cursor))
            .await
            .unwrap();
        assert!(listing.items.len() <= limit as usize);
        all.extend(listing.items);
        match listing.next_cursor {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
    panic!("pagination did not end")
}

pub async fn upserts_keep_the_newest_version(store: &dyn Store) {
    let v1 = customer(1, "Acme", T0);
    let mut v2 = customer(1, "Acme Corporation", T0.plus_millis(5000));
    v2.annual_revenue = Some(9_000_000.0);
    assert_eq!(
        store
            .upsert_customers(std::slice::from_ref(&v1))
            .await
            .unwrap(),
        UpsertReport {
            written: 1,
            stale: 0
        }
    );
    store.upsert_customers(&[v2.clone()]).await.unwrap();
    let report = store
        .upsert_customers(std::slice::from_ref(&v1))
        .await
        .unwrap();
    assert_eq!(
        report,
        UpsertReport {
            written: 0,
            stale: 1
        },
        "an older version never wins"
    );
    assert_eq!(store.get_customer(&v1.id).await.unwrap(), Some(v2.clone()));

    // The same version again (a redelivered page) is harmless and counts as written.
    let mut same = v2.clone();
    same.phone = Some("+1 555 0100".into());
    assert_eq!(
        store
            .upsert_customers(&[same.clone()])
            .await
            .unwrap()
            .written,
        1
    );
    assert_eq!(store.get_customer(&v1.id).await.unwrap(), Some(same));
    assert_eq!(store.get_customer(&customer_id(99)).await.unwrap(), None);
}

pub async fn deleted_customers_leave_listings_but_stay_readable(store: &dyn Store) {
    let keep = customer(1, "Keep Ltd", T0);
    let mut gone = customer(2, "Gone Ltd", T0);
    store
        .upsert_customers(&[keep.clone(), gone.clone()])
        .await
        .unwrap();
    gone.is_deleted = true;
    gone.system_modstamp = T0.plus_millis(1000);
    store.upsert_customers(&[gone.clone()]).await.unwrap();

    let listed = list_all(store, &CustomerFilter::default(), 10).await;
    assert_eq!(listed, vec![keep]);
    assert_eq!(
        store.get_customer(&gone.id).await.unwrap(),
        Some(gone.clone())
    );

    // Undeleted in Salesforce later: back in the listing.
    gone.is_deleted = false;
    gone.system_modstamp = T0.plus_millis(2000);
    store.upsert_customers(&[gone]).await.unwrap();
    assert_eq!(
        list_all(store, &CustomerFilter::default(), 10).await.len(),
        2
    );
}

pub async fn every_sort_pages_stably_across_equal_keys(store: &dyn Store) {
    // 23 customers: many share a name, a revenue or a modstamp.
    let batch: Vec<Customer> = (1..=23)
        .map(|n| {
            let name = ["Acme", "acme", "Globex", "Initech"][n as usize % 4];
            customer(n, name, T0.plus_millis(i64::from(n % 3) * 1000))
        })
        .collect();
    store.upsert_customers(&batch).await.unwrap();

    for sort in CustomerSort::ALL {
        let filter = CustomerFilter {
            sort,
            ..CustomerFilter::default()
        };
        let listed = list_all(store, &filter, 4).await;
        let ids: HashSet<_> = listed.iter().map(|c| c.id.clone()).collect();
        assert_eq!(listed.len(), 23, "{sort:?}: every customer once");
        assert_eq!(ids.len(), 23, "{sort:?}: no duplicates");
        let keys: Vec<_> = listed.iter().map(|c| sort_key(sort, c)).collect();
        let mut sorted = keys.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        if matches!(
            sort,
            CustomerSort::NameDesc | CustomerSort::RevenueDesc | CustomerSort::ModifiedDesc
        ) {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "{sort:?}: ordered, ties broken by id");
    }
}

/// The documented order: the sort value, then the id, in the sort's direction.
fn sort_key(sort: CustomerSort, c: &Customer) -> (String, f64, String) {
    let id = c.id.to_string();
    match sort {
        CustomerSort::NameAsc | CustomerSort::NameDesc => (c.name.to_lowercase(), 0.0, id),
        CustomerSort::RevenueAsc | CustomerSort::RevenueDesc => {
            (String::new(), c.annual_revenue.unwrap_or(-1.0), id)
        }
        CustomerSort::ModifiedDesc | CustomerSort::ModifiedAsc => {
            (String::new(), c.system_modstamp.as_millis() as f64, id)
        }
    }
}

pub async fn search_matches_name_industry_type_and_city(store: &dyn Store) {
    let batch: Vec<Customer> = (1..=12)
        .map(|n| customer(n, &format!("Company {n}"), T0))
        .collect();
    store.upsert_customers(&batch).await.unwrap();
    let count = |search: &str| {
        let filter = CustomerFilter {
            search: Some(search.to_owned()),
            ..CustomerFilter::default()
        };
        async move { list_all(store, &filter, 5).await }
    };
    let expected = |pred: &dyn Fn(&Customer) -> bool| batch.iter().filter(|c| pred(c)).count();

    assert_eq!(count("company 1").await.len(), 4, "Company 1, 10, 11, 12");
    assert_eq!(
        count("  MANUFACTURING ").await.len(),
        expected(&|c| c.industry.as_deref() == Some("Manufacturing"))
    );
    assert_eq!(
        count("partner").await.len(),
        expected(&|c| c.account_type.as_deref() == Some("Partner"))
    );
    assert_eq!(
        count("osaka").await.len(),
        expected(&|c| c.billing_city.as_deref() == Some("Osaka"))
    );
    assert!(
        count("o'brien; drop table customers --").await.is_empty(),
        "text, not SQL"
    );
    assert!(
        count("%").await.is_empty() && count("_").await.is_empty(),
        "no wildcards"
    );
    assert_eq!(count("").await.len(), 12, "an empty search lists everyone");
}

pub async fn cursors_are_bound_to_sort_and_search(store: &dyn Store) {
    let batch: Vec<Customer> = (1..=6).map(|n| customer(n, "Same", T0)).collect();
    store.upsert_customers(&batch).await.unwrap();
    let by_name = CustomerFilter::default();
    let first = store
        .list_customers(&by_name, &page(2, None))
        .await
        .unwrap();
    let cursor = first.next_cursor.expect("more pages");

    let by_revenue = CustomerFilter {
        sort: CustomerSort::RevenueDesc,
        ..CustomerFilter::default()
    };
    let searched = CustomerFilter {
        search: Some("same".into()),
        ..CustomerFilter::default()
    };
    let narrowed = CustomerFilter {
        industry: Some("Energy".into()),
        ..CustomerFilter::default()
    };
    for filter in [by_revenue, searched, narrowed] {
        let result = store
            .list_customers(&filter, &page(2, Some(cursor.clone())))
            .await;
        assert!(
            matches!(result, Err(StoreError::InvalidCursor)),
            "{filter:?}"
        );
    }
    let second = store
        .list_customers(&by_name, &page(2, Some(cursor)))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 2);
}

pub async fn large_batches_are_written_whole(store: &dyn Store) {
    let batch: Vec<Customer> = (1..=1_234)
        .map(|n| customer(n, &format!("Bulk {n:05}"), T0))
        .collect();
    let report = store.upsert_customers(&batch).await.unwrap();
    assert_eq!(
        report,
        UpsertReport {
            written: 1_234,
            stale: 0
        }
    );
    let listed = list_all(store, &CustomerFilter::default(), 100).await;
    assert_eq!(listed.len(), 1_234);
    assert_eq!(listed.first().map(|c| c.name.as_str()), Some("Bulk 00001"));
    assert_eq!(listed.last().map(|c| c.name.as_str()), Some("Bulk 01234"));
}
