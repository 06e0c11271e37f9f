//! The per-hour rollups: counts add up across concurrent writers, highs keep the largest,
//! and hours are read back by range, oldest first.

use expedite_core::{ops::Counts, store::Store};
use expedite_domain::{HOUR_MS, Timestamp};
use futures::future::join_all;

use super::T0;

fn hour(n: i64) -> Timestamp {
    T0.plus_millis(n * HOUR_MS)
}

fn counts(add: &[(&str, u64)], max: &[(&str, u64)]) -> Counts {
    Counts {
        add: add.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        max: max.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
    }
}

pub async fn hourly_counts_add_up_across_writers_and_keep_highs(store: &dyn Store) {
    let writes = (0..12).map(|n| {
        let batch = counts(
            &[("queries.completed", 1), ("tokens.prompt", 100)],
            &[("queue.waiting", [5, 40, 9][n % 3])],
        );
        async move { store.add_to_hour(hour(3), &batch).await }
    });
    for written in join_all(writes).await {
        written.expect("every concurrent write is taken");
    }
    store
        .add_to_hour(
            hour(3),
            &counts(&[("blocked.942", 2)], &[("queue.waiting", 7)]),
        )
        .await
        .unwrap();

    let hours = store.hours(hour(3), hour(4)).await.unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0].hour, hour(3));
    let value = |name: &str| hours[0].values.get(name).copied();
    assert_eq!(value("queries.completed"), Some(12));
    assert_eq!(value("tokens.prompt"), Some(1200));
    assert_eq!(
        value("queue.waiting"),
        Some(40),
        "a high is the largest seen"
    );
    assert_eq!(value("blocked.942"), Some(2));
    assert_eq!(value("queries.failed"), None);
}

pub async fn hours_are_read_by_range_oldest_first(store: &dyn Store) {
    for n in [7, 2, 5] {
        let batch = counts(&[("queries.submitted", n as u64)], &[]);
        store.add_to_hour(hour(n), &batch).await.unwrap();
    }
    let read = |from, to| async move {
        let hours = store.hours(hour(from), hour(to)).await.unwrap();
        hours
            .iter()
            .map(|h| (h.hour, h.values["queries.submitted"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        read(0, 10).await,
        vec![(hour(2), 2), (hour(5), 5), (hour(7), 7)]
    );
    assert_eq!(
        read(2, 7).await,
        vec![(hour(2), 2), (hour(5), 5)],
        "the end is excluded"
    );
    assert_eq!(read(8, 200).await, vec![], "a window of 192 empty hours");
}
