//! The job queue's behaviour. Visibility is in whole seconds, as SQS counts it.

use std::{collections::HashSet, time::Duration};

use expedite_core::queue::Queue;

const SHORT: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(30);
const NO_WAIT: Duration = Duration::ZERO;

/// Receives until `n` messages arrived or `within` passed.
async fn receive_n(
    queue: &dyn Queue,
    n: usize,
    visibility: Duration,
    within: Duration,
) -> Vec<expedite_core::queue::Received> {
    let deadline = tokio::time::Instant::now() + within;
    let mut got = Vec::new();
    while got.len() < n && tokio::time::Instant::now() < deadline {
        let wait = Duration::from_secs(1);
        got.extend(
            queue
                .receive(n - got.len(), visibility, wait)
                .await
                .unwrap(),
        );
    }
    got
}

pub async fn sent_messages_are_received_once_and_acknowledged(queue: &dyn Queue) {
    queue
        .send(r#"{"kind":"scheduled_poll"}"#, Duration::ZERO)
        .await
        .unwrap();
    let got = receive_n(queue, 1, LONG, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, r#"{"kind":"scheduled_poll"}"#);
    assert_eq!(got[0].receive_count, 1);
    assert!(
        queue.receive(10, LONG, NO_WAIT).await.unwrap().is_empty(),
        "hidden while in flight"
    );
    queue.ack(&got[0].receipt).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        queue.receive(10, LONG, NO_WAIT).await.unwrap().is_empty(),
        "gone once acknowledged"
    );
    assert!(
        queue
            .receive_dead_letters(10, Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn unacknowledged_messages_reappear_after_the_visibility_timeout(queue: &dyn Queue) {
    queue.send("job-a", Duration::ZERO).await.unwrap();
    let first = receive_n(queue, 1, SHORT, Duration::from_secs(5)).await;
    assert_eq!(first.len(), 1);
    let again = receive_n(queue, 1, LONG, Duration::from_secs(6)).await;
    assert_eq!(again.len(), 1, "redelivered after the timeout");
    assert_eq!(again[0].body, "job-a");
    assert_eq!(
        again[0].receive_count, 2,
        "the consumer sees how often it was delivered"
    );
    queue.ack(&again[0].receipt).await.unwrap();
}

pub async fn delayed_messages_wait(queue: &dyn Queue) {
    queue.send("later", Duration::from_secs(2)).await.unwrap();
    assert!(
        queue.receive(1, LONG, NO_WAIT).await.unwrap().is_empty(),
        "not before its delay"
    );
    let got = receive_n(queue, 1, LONG, Duration::from_secs(8)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, "later");
}

pub async fn messages_are_dead_lettered_after_the_maximum_receives(queue: &dyn Queue) {
    assert_eq!(
        queue.max_receives(),
        3,
        "the suite expects a queue built with 3"
    );
    queue.send("poison", Duration::ZERO).await.unwrap();
    for expected in 1..=3 {
        let got = receive_n(queue, 1, SHORT, Duration::from_secs(6)).await;
        assert_eq!(got.len(), 1, "delivery {expected}");
        assert_eq!(got[0].receive_count, expected);
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let after = receive_n(queue, 1, SHORT, Duration::from_secs(2)).await;
    assert!(after.is_empty(), "no fourth delivery: {after:?}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let dead: Vec<String> = queue
            .receive_dead_letters(10, Duration::ZERO)
            .await
            .unwrap()
            .into_iter()
            .map(|letter| letter.body)
            .collect();
        if dead == ["poison"] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "dead-lettered, got {dead:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn extending_visibility_keeps_a_message_hidden(queue: &dyn Queue) {
    queue.send("long job", Duration::ZERO).await.unwrap();
    let got = receive_n(queue, 1, SHORT, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    queue
        .extend(&got[0].receipt, Duration::from_secs(4))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(
        queue.receive(1, LONG, NO_WAIT).await.unwrap().is_empty(),
        "still hidden"
    );
    queue.ack(&got[0].receipt).await.unwrap();
}

pub async fn receive_returns_at_most_the_requested_number(queue: &dyn Queue) {
    for n in 0..5 {
        queue.send(&format!("m{n}"), Duration::ZERO).await.unwrap();
    }
    let mut bodies = HashSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while bodies.len() < 5 && tokio::time::Instant::now() < deadline {
        let got = queue
            .receive(3, LONG, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(got.len() <= 3);
        for message in got {
            assert!(
                bodies.insert(message.body.clone()),
                "duplicate {}",
                message.body
            );
            queue.ack(&message.receipt).await.unwrap();
        }
    }
    assert_eq!(bodies.len(), 5);
}

pub async fn concurrent_consumers_never_share_a_delivery(queue: &dyn Queue) {
    for n in 0..12 {
        queue.send(&format!("c{n}"), Duration::ZERO).await.unwrap();
    }
    let consume = || async {
        let mut mine = Vec::new();
        for _ in 0..6 {
            mine.extend(
                queue
                    .receive(4, LONG, Duration::from_millis(500))
                    .await
                    .unwrap(),
            );
        }
        mine
    };
    let (a, b) = tokio::join!(consume(), consume());
    let all: Vec<String> = a.iter().chain(b.iter()).map(|m| m.body.clone()).collect();
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a message went to two consumers: {all:?}"
    );
    assert_eq!(unique.len(), 12);
}

pub async fn a_waiting_receive_wakes_when_a_message_is_sent(queue: &dyn Queue) {
    let started = tokio::time::Instant::now();
    let (got, ()) = tokio::join!(queue.receive(1, LONG, Duration::from_secs(10)), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        queue.send("wake up", Duration::ZERO).await.unwrap();
    });
    let got = got.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, "wake up");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "woken by the send, not the wait's end"
    );
}

pub async fn the_whole_dead_letter_queue_is_drained_in_pages(queue: &dyn Queue) {
    // More than one receive can return (SQS gives at most 10 a call).
    let bodies: Vec<String> = (0..25).map(|n| format!("dead-{n:02}")).collect();
    for body in &bodies {
        queue.send(body, Duration::ZERO).await.unwrap();
    }
    // Deliveries that never finish, until every message has used up its receives.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut letters = Vec::new();
    while letters.len() < bodies.len() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "dead-lettered: {}",
            letters.len()
        );
        for _ in 0..5 {
            let _ = queue.receive(10, Duration::ZERO, NO_WAIT).await.unwrap();
        }
        letters = queue
            .receive_dead_letters(100, Duration::ZERO)
            .await
            .unwrap();
    }
    // In hand for a while: another sweep does not get them; acknowledged, they are gone.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let held = queue.receive_dead_letters(100, LONG).await.unwrap();
    let mut got: Vec<String> = held.iter().map(|letter| letter.body.clone()).collect();
    got.sort();
    assert_eq!(got, bodies);
    assert!(
        queue
            .receive_dead_letters(100, LONG)
            .await
            .unwrap()
            .is_empty(),
        "hidden while in hand"
    );
    for letter in &held {
        queue.ack_dead_letter(&letter.receipt).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(
        queue
            .receive_dead_letters(100, Duration::ZERO)
            .await
            .unwrap()
            .is_empty(),
        "removed once handled"
    );
}

/// Waits until the queue's depth, read again and again, satisfies `wanted` (SQS's counts are
/// approximate and settle within seconds); the last depth read.
async fn depth_until(
    queue: &dyn Queue,
    what: &str,
    wanted: impl Fn(&expedite_core::queue::QueueDepth) -> bool,
) -> expedite_core::queue::QueueDepth {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let depth = queue.depth().await.unwrap();
        if wanted(&depth) {
            return depth;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: the depth stayed {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn the_depth_counts_waiting_in_flight_and_dead_letters(queue: &dyn Queue) {
    let empty = queue.depth().await.unwrap();
    assert_eq!(
        (empty.waiting, empty.in_flight, empty.dead_letters),
        (0, 0, 0),
        "{empty:?}"
    );
    for n in 0..3 {
        queue
            .send(&format!("job {n}"), Duration::ZERO)
            .await
            .unwrap();
    }
    queue.send("later", Duration::from_secs(30)).await.unwrap();
    let sent = depth_until(queue, "three ready, one delayed", |d| {
        d.waiting == 3 && d.in_flight == 1
    })
    .await;
    assert!(
        sent.oldest_age
            .is_none_or(|age| age < Duration::from_secs(30)),
        "{sent:?}"
    );

    let got = receive_n(queue, 1, LONG, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    depth_until(queue, "one taken", |d| d.waiting == 2 && d.in_flight == 2).await;
    queue.ack(&got[0].receipt).await.unwrap();
    depth_until(queue, "one done", |d| d.waiting == 2 && d.in_flight == 1).await;

    // A message received past the maximum moves to the dead letters.
    for _ in 0..2 {
        let got = receive_n(queue, 1, LONG, Duration::from_secs(5)).await;
        queue.ack(&got[0].receipt).await.unwrap();
    }
    queue.send("poison", Duration::ZERO).await.unwrap();
    for _ in 0..queue.max_receives() {
        assert_eq!(
            receive_n(queue, 1, SHORT, Duration::from_secs(6))
                .await
                .len(),
            1
        );
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        receive_n(queue, 1, SHORT, Duration::from_secs(2))
            .await
            .is_empty()
    );
    let end = depth_until(queue, "the poison dead-lettered", |d| d.dead_letters == 1).await;
    assert_eq!(
        (end.waiting, end.in_flight),
        (0, 1),
        "only the delayed one is left: {end:?}"
    );
}
