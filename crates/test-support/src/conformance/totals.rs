//! Totals, counts, filters and two-way paging of the customer store.

use std::collections::BTreeMap;

use expedite_core::store::Store;
use expedite_domain::{
    Customer, CustomerCount, CustomerFilter, CustomerSort, CustomerTotals, Segment,
};

use super::{
    T0, customer,
    customers::{list_all, page},
};

/// The totals worked out by hand from the customers a store should hold (the newest version
/// of each): live ones only, revenue in whole cents, the empty value as its own segment.
fn expected(customers: &[Customer]) -> CustomerTotals {
    let live: Vec<&Customer> = customers.iter().filter(|c| !c.is_deleted).collect();
    let cents = |c: &Customer| {
        c.annual_revenue
            .filter(|r| r.is_finite() && *r >= 0.0)
            .map(|r| (r * 100.0).round() as i64)
    };
    let mut known: Vec<i64> = live.iter().filter_map(|c| cents(c)).collect();
    known.sort_unstable();
    let median = match known.len() {
        0 => None,
        n if n % 2 == 1 => Some(known[n / 2] as f64 / 100.0),
        n => Some((known[n / 2 - 1] + known[n / 2]) as f64 / 100.0 / 2.0),
    };
    let segments = |field: fn(&Customer) -> Option<String>| {
        let mut by: BTreeMap<Option<String>, (u64, i64)> = BTreeMap::new();
        for c in &live {
            let entry = by.entry(field(c)).or_default();
            entry.0 += 1;
            entry.1 += cents(c).unwrap_or(0);
        }
        let mut segments: Vec<Segment> = by
            .into_iter()
            .map(|(value, (customers, cents))| Segment {
                value,
                customers,
                revenue: cents as f64 / 100.0,
            })
            .collect();
        CustomerTotals::sort_segments(&mut segments);
        segments
    };
    CustomerTotals {
        customers: live.len() as u64,
        with_revenue: known.len() as u64,
        total_revenue: known.iter().sum::<i64>() as f64 / 100.0,
        median_revenue: median,
        by_industry: segments(|c| c.industry.clone()),
        by_type: segments(|c| c.account_type.clone()),
        by_country: segments(|c| c.billing_country.clone()),
    }
}

/// 60 customers with awkward revenues (cents, none, negative), empty fields and several
/// countries.
fn varied() -> Vec<Customer> {
    (1..=60)
        .map(|n| {
            let mut c = customer(n, &format!("Varied {n:02}"), T0);
            c.annual_revenue = match n % 6 {
                0 => None,
                1 => Some(f64::from(n) * 1234.56),
                2 => Some(0.01 * f64::from(n)),
                3 => Some(-5.0),
                4 => Some(987_654_321.99),
                _ => Some(f64::from(n * n) * 10.0),
            };
            c.billing_country = ["FR", "US", "JP"]
                .get(n as usize % 4)
                .map(|s| (*s).to_owned());
            if n % 7 == 0 {
                c.industry = None;
            }
            c
        })
        .collect()
}

pub async fn totals_add_up_live_customers_in_whole_cents(store: &dyn Store) {
    assert_eq!(
        store.customer_totals().await.unwrap(),
        expected(&[]),
        "an empty store adds up to nothing"
    );
    let batch = varied();
    store.upsert_customers(&batch).await.unwrap();
    assert_eq!(store.customer_totals().await.unwrap(), expected(&batch));
}

pub async fn totals_follow_rewrites_deletes_and_stale_versions(store: &dyn Store) {
    let mut current = varied();
    store.upsert_customers(&current).await.unwrap();
    // Newer versions move customers between segments, change revenue and delete some; an
    // older version of one record (ignored) and a repeat of a current one change nothing.
    let mut newer = Vec::new();
    for c in current
        .iter_mut()
        .filter(|c| c.name.ends_with('3') || c.name.ends_with('8'))
    {
        c.system_modstamp = T0.plus_millis(60_000);
        c.industry = Some("Aerospace".into());
        c.annual_revenue = c.annual_revenue.map(|r| r + 100.0);
        c.is_deleted = c.name.ends_with("08") || c.name.ends_with("33");
        newer.push(c.clone());
    }
    let mut old = current[0].clone();
    old.system_modstamp = T0.plus_millis(-1);
    old.industry = Some("Stale".into());
    newer.push(old);
    newer.push(current[1].clone());
    store.upsert_customers(&newer).await.unwrap();
    assert_eq!(store.customer_totals().await.unwrap(), expected(&current));
    // A deleted customer that comes back counts again.
    let back = current
        .iter_mut()
        .find(|c| c.is_deleted)
        .expect("one was deleted");
    back.is_deleted = false;
    back.system_modstamp = T0.plus_millis(120_000);
    store
        .upsert_customers(std::slice::from_ref(back))
        .await
        .unwrap();
    assert_eq!(store.customer_totals().await.unwrap(), expected(&current));
}

pub async fn the_median_is_the_middle_of_known_revenues(store: &dyn Store) {
    let mut batch: Vec<Customer> = [3.0, 1.0, 1000.0, 2.5]
        .into_iter()
        .enumerate()
        .map(|(i, revenue)| {
            let mut c = customer(i as u32 + 1, "Median", T0);
            c.annual_revenue = Some(revenue);
            c
        })
        .collect();
    store.upsert_customers(&batch).await.unwrap();
    let totals = store.customer_totals().await.unwrap();
    assert_eq!(
        totals.median_revenue,
        Some(2.75),
        "even: the mean of 2.5 and 3"
    );
    let mut fifth = customer(5, "Median", T0);
    fifth.annual_revenue = Some(2.0);
    batch.push(fifth);
    store.upsert_customers(&batch[4..]).await.unwrap();
    let totals = store.customer_totals().await.unwrap();
    assert_eq!(totals.median_revenue, Some(2.5), "odd: the middle one");
    assert_eq!(totals, expected(&batch));
}

pub async fn filters_narrow_listings_and_counts_exactly(store: &dyn Store) {
    let batch = varied();
    store.upsert_customers(&batch).await.unwrap();
    let some = |text: &str| Some(text.to_owned());
    let filters = [
        CustomerFilter::default(),
        CustomerFilter {
            industry: some("Energy"),
            ..CustomerFilter::default()
        },
        CustomerFilter {
            account_type: some("Partner"),
            ..CustomerFilter::default()
        },
        CustomerFilter {
            country: some(" JP "),
            sort: CustomerSort::RevenueDesc,
            ..CustomerFilter::default()
        },
        CustomerFilter {
            industry: some("Retail"),
            country: some("US"),
            search: some("varied 1"),
            sort: CustomerSort::ModifiedAsc,
            ..CustomerFilter::default()
        },
        CustomerFilter {
            industry: some("energy"),
            ..CustomerFilter::default()
        },
    ];
    for filter in filters {
        let wanted = |c: &&Customer| {
            let is = |want: &Option<String>, have: &Option<String>| {
                want.as_deref()
                    .is_none_or(|want| have.as_deref() == Some(want.trim()))
            };
            !c.is_deleted
                && is(&filter.industry, &c.industry)
                && is(&filter.account_type, &c.account_type)
                && is(&filter.country, &c.billing_country)
                && filter
                    .search
                    .as_deref()
                    .is_none_or(|s| c.name.to_lowercase().contains(s))
        };
        let mut expected_ids: Vec<_> = batch.iter().filter(wanted).map(|c| c.id.clone()).collect();
        let mut listed: Vec<_> = list_all(store, &filter, 7)
            .await
            .into_iter()
            .map(|c| c.id)
            .collect();
        expected_ids.sort();
        listed.sort();
        assert_eq!(listed, expected_ids, "{filter:?}");
        assert_eq!(
            store.count_customers(&filter).await.unwrap(),
            CustomerCount {
                count: expected_ids.len() as u64,
                at_least: false
            },
            "{filter:?}"
        );
    }
}

pub async fn pages_lead_back_the_way_they_came(store: &dyn Store) {
    let batch: Vec<Customer> = (1..=11)
        .map(|n| customer(n, ["Same", "Other"][n as usize % 2], T0))
        .collect();
    store.upsert_customers(&batch).await.unwrap();
    for sort in CustomerSort::ALL {
        let filter = CustomerFilter {
            sort,
            ..CustomerFilter::default()
        };
        let mut forward = Vec::new();
        let mut cursor = None;
        loop {
            let listed = store
                .list_customers(&filter, &page(3, cursor))
                .await
                .unwrap();
            assert_eq!(
                listed.prev_cursor.is_some(),
                !forward.is_empty(),
                "{sort:?}: a way back from every page but the first"
            );
            forward.push(listed.clone());
            match listed.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(forward.len(), 4, "{sort:?}: 3 + 3 + 3 + 2");
        // Back from the last page, page by page, to the first.
        let mut back = forward.last().unwrap().prev_cursor.clone();
        for expected in forward.iter().rev().skip(1) {
            let listed = store
                .list_customers(&filter, &page(3, back.clone()))
                .await
                .unwrap();
            assert_eq!(listed.items, expected.items, "{sort:?}");
            assert!(listed.next_cursor.is_some(), "{sort:?}: and forward again");
            back = listed.prev_cursor;
        }
        assert!(back.is_none(), "{sort:?}: the first page has no way back");
    }
}
