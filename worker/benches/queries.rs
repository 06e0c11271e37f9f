//! AI-query benchmarks over the real embedded store and queue, the worker loop, the OpenAI
//! adapter and the local OpenAI double (each answer: one tool call, then the text).
//!
//! 1. Latency, submit → COMPLETED, one query at a time, the double answering at once.
//! 2. Throughput with the double holding every call 2 s, at two worker concurrencies.
//!
//! `cargo bench -p worker --bench queries`; prints numbers, asserts nothing about speed.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use expedite_core::{Config, Ports, Services, identity::Caller, queue::Queue, store::Store};
use expedite_domain::{AiQuery, Role, UserId};
use expedite_openai::{OpenAiModel, OpenAiSettings};
use expedite_runtime::local::{LoopOptions, run_queue};
use expedite_sqlite::{Database, SqliteQueue, SqliteStore};
use expedite_test_support::{
    conformance::{T0, customer},
    openai::{OpenAiDouble, Script, Step},
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Calls a tool first, answers once a tool result is in the conversation.
fn agent(delay: Duration) -> Script {
    Script::new().fallback(move |request: &Value| {
        let answered = request["messages"]
            .as_array()
            .is_some_and(|messages| messages.iter().any(|m| m["role"] == "tool"));
        let step = if answered {
            Step::text("Acme is the largest customer [customer:001000000000001].")
        } else {
            Step::tool_call(
                "search_customers",
                json!({"sort": "revenue_desc", "limit": 5}),
            )
        };
        step.after(delay)
    })
}

struct Bench {
    services: Services,
    stop: CancellationToken,
    _double: OpenAiDouble,
    _data: tempfile::TempDir,
}

async fn bench(delay: Duration, concurrency: usize) -> Bench {
    let data = tempfile::tempdir().unwrap();
    let db = Database::open(data.path()).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::new(db.clone()));
    let queue: Arc<dyn Queue> = Arc::new(SqliteQueue::new(db, "jobs", 5));
    let customers: Vec<_> = (1..=500)
        .map(|n| customer(n, &format!("Customer {n}"), T0))
        .collect();
    store.upsert_customers(&customers).await.unwrap();
    let double = OpenAiDouble::start(agent(delay)).await;
    let model = OpenAiModel::new(OpenAiSettings {
        base_url: Some(double.base_url()),
        api_key: Some("sk-bench".to_owned()),
        model: "gpt-bench".to_owned(),
        call_timeout: Duration::from_secs(30),
    })
    .unwrap();
    let mut ports = Ports::new(store, Arc::clone(&queue));
    ports.model = Arc::new(model);
    let services = Services::new(Config::for_tests(data.path().to_owned()), ports);
    let stop = CancellationToken::new();
    tokio::spawn(run_queue(
        Arc::new(services.clone()),
        queue,
        LoopOptions {
            concurrency,
            ..LoopOptions::default()
        },
        stop.clone(),
    ));
    Bench {
        services,
        stop,
        _double: double,
        _data: data,
    }
}

fn caller() -> Caller {
    Caller {
        user_id: UserId::parse("bench-user").unwrap(),
        username: "bench-user".to_owned(),
        email: None,
        groups: Vec::new(),
        role: Role::User,
    }
}

async fn wait_done(services: &Services, query: &AiQuery) {
    loop {
        let now = services.query(&caller(), query.id.as_str()).await.unwrap();
        if now.status.is_terminal() {
            assert_eq!(now.status.as_str(), "COMPLETED", "{now:?}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn latency() {
    let bench = bench(Duration::ZERO, 16).await;
    let mut samples = Vec::new();
    for n in 0..300 {
        let started = Instant::now();
        let query = bench
            .services
            .submit_query(
                &caller(),
                &format!("Who are our largest customers? ({n})"),
                None,
            )
            .await
            .unwrap();
        wait_done(&bench.services, &query).await;
        if n >= 20 {
            samples.push(started.elapsed());
        }
    }
    samples.sort();
    println!(
        "latency submit→COMPLETED, instant double, {} queries one at a time: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
    bench.stop.cancel();
}

async fn throughput(concurrency: usize, queries: usize) {
    let bench = bench(Duration::from_secs(2), concurrency).await;
    let started = Instant::now();
    let mut submitted = Vec::new();
    for n in 0..queries {
        let prompt = format!("Question {n}");
        submitted.push(
            bench
                .services
                .submit_query(&caller(), &prompt, None)
                .await
                .unwrap(),
        );
    }
    for query in &submitted {
        wait_done(&bench.services, query).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "throughput, double holding each call 2 s (2 calls per answer), concurrency {concurrency}: {queries} queries in {elapsed:.1} s = {:.2} queries/s ({:.0}/min)",
        queries as f64 / elapsed,
        queries as f64 / elapsed * 60.0,
    );
    bench.stop.cancel();
}

#[tokio::main]
async fn main() {
    latency().await;
    throughput(16, 64).await;
    throughput(64, 256).await;
}
