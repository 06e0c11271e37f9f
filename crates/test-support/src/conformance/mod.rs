//! One behaviour per port, written once and run against every backend.
//!
//! Each suite function takes a fresh, empty backend (`&dyn Trait`); the backend's own test
//! crate instantiates all of them with [`store_conformance_tests!`](crate::store_conformance_tests)
//! and [`queue_conformance_tests!`](crate::queue_conformance_tests), so a new suite function
//! cannot be forgotten by one backend.

pub mod customers;
pub mod edits;
pub mod identity;
pub mod ops;
pub mod queries;
pub mod queue;
pub mod sync;
pub mod totals;

use expedite_domain::{Customer, CustomerId, Timestamp};

/// A fixed instant the suites count from.
pub const T0: Timestamp = Timestamp::from_millis(1_735_689_600_000); // 2025-01-01T00:00:00Z

/// A customer with the given number (as id), name and modstamp; other fields plausible.
pub fn customer(n: u32, name: &str, modstamp: Timestamp) -> Customer {
    Customer {
        id: customer_id(n),
        name: name.to_owned(),
        account_type: Some(
            if n.is_multiple_of(3) {
                "Partner"
            } else {
                "Customer - Direct"
            }
            .to_owned(),
        ),
        industry: Some(["Manufacturing", "Energy", "Retail", "Banking"][n as usize % 4].to_owned()),
        annual_revenue: (!n.is_multiple_of(5)).then(|| f64::from(n % 7) * 1_000_000.0),
        billing_city: Some(["Lyon", "Austin", "Osaka"][n as usize % 3].to_owned()),
        billing_country: Some("FR".to_owned()),
        phone: Some(format!("+33 1 23 45 {n:04}")),
        website: Some(format!("https://example-{n}.test")),
        owner_id: Some("005000000000001AAA".to_owned()),
        owner_name: Some("Ada Lovelace".to_owned()),
        system_modstamp: modstamp,
        is_deleted: false,
        synced_at: modstamp,
    }
}

/// An 18-character Salesforce-style Account id for `n`.
pub fn customer_id(n: u32) -> CustomerId {
    CustomerId::parse(format!("001{n:012}AAA")).expect("valid id")
}

/// Instantiates every store conformance test for a backend. `$make` is an async fn returning
/// `(impl Deref<Target = dyn Store>, guard)`; the guard lives until the test ends.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:path) => {
        $crate::__conformance_tests!($make;
            queries::create_then_get_round_trips,
            queries::history_is_newest_first_and_pages_across_equal_timestamps,
            queries::idempotency_keys_return_the_first_query_per_owner_within_the_window,
            queries::concurrent_creates_with_one_key_make_one_query,
            queries::transitions_are_conditional,
            queries::concurrent_starts_have_exactly_one_winner,
            queries::a_failed_attempt_waits_queued_with_its_notice,
            queries::queued_queries_are_listed_by_when_they_are_due,
            queries::bad_cursors_are_refused,
            customers::upserts_keep_the_newest_version,
            customers::deleted_customers_leave_listings_but_stay_readable,
            customers::every_sort_pages_stably_across_equal_keys,
            customers::search_matches_name_industry_type_and_city,
            customers::cursors_are_bound_to_sort_and_search,
            customers::large_batches_are_written_whole,
            totals::totals_add_up_live_customers_in_whole_cents,
            totals::totals_follow_rewrites_deletes_and_stale_versions,
            totals::the_median_is_the_middle_of_known_revenues,
            totals::filters_narrow_listings_and_counts_exactly,
            totals::pages_lead_back_the_way_they_came,
            edits::local_edits_merge_per_customer_and_list_in_id_order,
            edits::clearing_an_edit_keeps_changes_made_since,
            edits::concurrent_edits_of_one_customer_lose_no_change,
            sync::runs_are_listed_newest_first_and_replaced_by_id,
            sync::watermarks_are_kept_per_object,
            sync::leases_exclude_other_holders_until_they_expire,
            sync::concurrent_lease_attempts_have_exactly_one_winner,
            ops::hourly_counts_add_up_across_writers_and_keep_highs,
            ops::hours_are_read_by_range_oldest_first,
        );
    };
}

/// Instantiates every identity-store conformance test (the built-in provider's accounts) for a
/// backend whose `$make` returns `(impl Deref<Target = dyn IdentityStore>, guard)`.
#[macro_export]
macro_rules! identity_conformance_tests {
    ($make:path) => {
        $crate::__conformance_tests!($make;
            identity::users_are_unique_by_id_and_email,
            identity::refresh_tokens_are_used_once_and_reuse_revokes_the_family,
            identity::expired_and_unknown_refresh_tokens_are_invalid,
            identity::concurrent_refreshes_have_exactly_one_winner,
        );
    };
}

/// Instantiates every queue conformance test for a backend (see [`store_conformance_tests!`]).
/// The queue must dead-letter after 3 receives.
#[macro_export]
macro_rules! queue_conformance_tests {
    ($make:path) => {
        $crate::__conformance_tests!($make;
            queue::sent_messages_are_received_once_and_acknowledged,
            queue::unacknowledged_messages_reappear_after_the_visibility_timeout,
            queue::delayed_messages_wait,
            queue::messages_are_dead_lettered_after_the_maximum_receives,
            queue::extending_visibility_keeps_a_message_hidden,
            queue::receive_returns_at_most_the_requested_number,
            queue::concurrent_consumers_never_share_a_delivery,
            queue::a_waiting_receive_wakes_when_a_message_is_sent,
            queue::the_whole_dead_letter_queue_is_drained_in_pages,
            queue::the_depth_counts_waiting_in_flight_and_dead_letters,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($make:path; $($suite:ident :: $test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let (backend, _guard) = $make().await;
                $crate::conformance::$suite::$test(&*backend).await;
            }
        )*
    };
}
