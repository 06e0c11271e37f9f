//! Throughput of the embedded store and queue on this machine, printed as a table.
//!
//! `cargo bench -p expedite-sqlite --bench embedded`. Numbers, not assertions: compare runs
//! side by side on the same machine.

use std::time::{Duration, Instant};

use expedite_core::{
    queue::Queue,
    store::{CustomerStore, NewQuery, QueryStore},
};
use expedite_domain::{Prompt, QueryId, Timestamp, UserId};
use expedite_sqlite::{Database, SqliteQueue, SqliteStore};
use expedite_test_support::conformance::{T0, customer, customer_id};

const CUSTOMERS: u32 = 10_000;
const GETS: u32 = 20_000;
const JOBS: u32 = 5_000;

fn report(name: &str, count: u32, elapsed: Duration, latencies: Option<&mut Vec<Duration>>) {
    let rate = f64::from(count) / elapsed.as_secs_f64();
    let mut line = format!(
        "{name:<44} {count:>7} ops {:>9.1} ms {rate:>11.0} ops/s",
        elapsed.as_secs_f64() * 1e3
    );
    if let Some(latencies) = latencies {
        latencies.sort();
        let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
        line.push_str(&format!(
            "  p50 {:>6.1} µs  p99 {:>6.1} µs",
            micros(pick(0.5)),
            micros(pick(0.99))
        ));
    }
    println!("{line}");
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).await.unwrap();
    let store = SqliteStore::new(db.clone());
    println!(
        "embedded SQLite (WAL, synchronous=FULL) in {}",
        dir.path().display()
    );

    let batch: Vec<_> = (0..CUSTOMERS)
        .map(|n| customer(n, &format!("Customer {n:05}"), T0))
        .collect();
    let started = Instant::now();
    let written = store.upsert_customers(&batch).await.unwrap();
    report(
        "batch upsert, new customers",
        written.written,
        started.elapsed(),
        None,
    );

    let newer: Vec<_> = (0..CUSTOMERS)
        .map(|n| customer(n, &format!("Customer {n:05} Ltd"), T0.plus_millis(1000)))
        .collect();
    let started = Instant::now();
    let written = store.upsert_customers(&newer).await.unwrap();
    report(
        "batch upsert, newer versions",
        written.written,
        started.elapsed(),
        None,
    );

    let started = Instant::now();
    let stale = store.upsert_customers(&batch).await.unwrap();
    report(
        "batch upsert, all stale (skipped)",
        stale.stale,
        started.elapsed(),
        None,
    );

    let mut latencies = Vec::with_capacity(GETS as usize);
    let started = Instant::now();
    for i in 0..GETS {
        let id = customer_id((i * 7919) % CUSTOMERS);
        let t = Instant::now();
        let found = store.get_customer(&id).await.unwrap();
        latencies.push(t.elapsed());
        assert!(found.is_some());
    }
    report(
        "single get_customer",
        GETS,
        started.elapsed(),
        Some(&mut latencies),
    );

    let owner = UserId::parse("bench-user").unwrap();
    let mut ids = Vec::new();
    let mut latencies = Vec::new();
    let started = Instant::now();
    for n in 0..JOBS {
        let id = QueryId::parse(uuid::Uuid::now_v7().to_string()).unwrap();
        let t = Instant::now();
        store
            .create_query(NewQuery {
                id: id.clone(),
                owner: owner.clone(),
                prompt: Prompt::parse(format!("question {n}")).unwrap(),
                idempotency_key: None,
                now: Timestamp::from_millis(i64::from(n)),
            })
            .await
            .unwrap();
        latencies.push(t.elapsed());
        ids.push(id);
    }
    report(
        "create_query (one durable commit each)",
        JOBS,
        started.elapsed(),
        Some(&mut latencies),
    );

    let mut latencies = Vec::new();
    let started = Instant::now();
    for id in &ids {
        let t = Instant::now();
        store.get_query(id).await.unwrap().unwrap();
        latencies.push(t.elapsed());
    }
    report(
        "single get_query",
        JOBS,
        started.elapsed(),
        Some(&mut latencies),
    );

    let queue = SqliteQueue::new(db, "bench", 5);
    let mut latencies = Vec::new();
    let started = Instant::now();
    for n in 0..JOBS {
        let t = Instant::now();
        queue
            .send(&format!("job {n}"), Duration::ZERO)
            .await
            .unwrap();
        let got = queue
            .receive(1, Duration::from_secs(60), Duration::ZERO)
            .await
            .unwrap();
        queue.ack(&got[0].receipt).await.unwrap();
        latencies.push(t.elapsed());
    }
    report(
        "queue send + receive + ack, one at a time",
        JOBS,
        started.elapsed(),
        Some(&mut latencies),
    );

    for n in 0..JOBS {
        queue
            .send(&format!("job {n}"), Duration::ZERO)
            .await
            .unwrap();
    }
    let started = Instant::now();
    let mut done = 0;
    while done < JOBS {
        let got = queue
            .receive(10, Duration::from_secs(60), Duration::ZERO)
            .await
            .unwrap();
        for message in &got {
            queue.ack(&message.receipt).await.unwrap();
        }
        done += got.len() as u32;
    }
    report(
        "queue receive (batches of 10) + ack",
        JOBS,
        started.elapsed(),
        None,
    );
}
