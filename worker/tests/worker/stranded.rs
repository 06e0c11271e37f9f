//! Nothing acknowledged is left without a job: on the embedded backends a query and its job are
//! written in one transaction, the sweep queues whatever is QUEUED without one, and a query
//! waiting between deliveries shows QUEUED with why.

use std::{sync::Arc, time::Duration};

use expedite_core::{
    QueryError,
    clock::{Clock, ManualClock, SystemClock},
    jobs::{Attempt, Outcome, process_one},
    store::NewQuery,
};
use expedite_domain::{AiQuery, Prompt, QueryId, QueryStatus, UserId};
use expedite_sqlite::Database;
use expedite_test_support::openai::{ErrorKind, Script, Step};

use crate::ai_jobs::{Harness, caller};

/// Alice's question saved at `at` straight into the store, with no job.
async fn save_without_job(harness: &Harness, at: expedite_domain::Timestamp) -> AiQuery {
    let new = NewQuery {
        id: QueryId::parse(uuid::Uuid::new_v4().to_string()).unwrap(),
        owner: UserId::parse("alice").unwrap(),
        prompt: Prompt::parse("Which accounts are in Banking?").unwrap(),
        idempotency_key: None,
        now: at,
    };
    harness
        .services
        .store()
        .create_query(new)
        .await
        .unwrap()
        .into_inner()
}

/// A second connection to the harness's database, for fault injection.
async fn raw(harness: &Harness) -> sqlx::SqlitePool {
    let path = harness.data.path().join(Database::FILE_NAME);
    sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

#[tokio::test]
async fn embedded_a_query_and_its_job_are_written_together_or_not_at_all() {
    let harness = Harness::new(Script::new().then(Step::text("Acme leads.")), true).await;
    let db = raw(&harness).await;
    // The queue refuses every new message: the save must not survive without its job.
    sqlx::query(
        "CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'queue down'); END",
    )
    .execute(&db)
    .await
    .unwrap();
    let alice = caller("alice");
    let refused = harness
        .services
        .submit_query(&alice, "Who leads?", Some("key-1"))
        .await;
    assert!(matches!(refused, Err(QueryError::NotQueued)), "{refused:?}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ai_queries")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(count, 0, "no query was kept without its job");

    sqlx::query("DROP TRIGGER refuse_jobs")
        .execute(&db)
        .await
        .unwrap();
    let query = harness
        .services
        .submit_query(&alice, "Who leads?", Some("key-1"))
        .await
        .unwrap();
    let done = harness.finished(&query).await;
    assert_eq!(done.status, QueryStatus::Completed, "{done:?}");
    assert_eq!(harness.double.calls(), 1, "answered once");
    let again = harness
        .services
        .submit_query(&alice, "Who leads?", Some("key-1"))
        .await
        .unwrap();
    assert_eq!(again.id, query.id, "the key returns the answered query");
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(jobs, 0, "the same-key retry queued nothing more");
}

#[tokio::test]
async fn embedded_the_sweep_queues_a_query_left_without_a_job_and_leaves_pending_ones() {
    let harness = Harness::configured(Script::new(), false, |config, _| {
        config.requeue_after = Duration::ZERO;
    })
    .await;
    // A query saved without a job (as a crash between two steps once left them).
    let stranded = save_without_job(&harness, harness.services.now().plus_millis(-60_000)).await;
    // And one submitted normally, whose job is waiting.
    let pending = harness.ask("Who is in Retail?").await;
    tokio::time::sleep(Duration::from_millis(5)).await;

    let swept = harness.services.requeue_stranded().await;
    assert_eq!(swept.queries, 1, "only the query without a job");
    let swept = harness.services.requeue_stranded().await;
    assert_eq!(swept.queries, 0, "its job is now pending too");

    // Both are answered, each once.
    let queue = harness.services.queue();
    let mut seen = Vec::new();
    loop {
        let received = queue
            .receive(10, Duration::from_secs(30), Duration::ZERO)
            .await
            .unwrap();
        if received.is_empty() {
            break;
        }
        for message in received {
            let attempt = Attempt {
                receive_count: message.receive_count,
                max_receives: queue.max_receives(),
                deadline: None,
            };
            let outcome = process_one(&harness.services, &message.body, attempt).await;
            assert_eq!(outcome, Outcome::Ack);
            queue.ack(&message.receipt).await.unwrap();
            seen.push(message.body);
        }
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    for query in [&stranded, &pending] {
        let done = harness.finished_or_current(query).await;
        assert_eq!(done.status, QueryStatus::Completed, "{done:?}");
        assert_eq!(done.attempts, 1);
    }
    assert_eq!(harness.double.calls(), 2);
}

#[tokio::test]
async fn a_query_waiting_for_its_next_delivery_is_queued_with_the_reason() {
    let script = Script::new()
        .then(Step::error(ErrorKind::RateLimited {
            retry_after_secs: 0,
        }))
        .fallback(|_| {
            Step::error(ErrorKind::RateLimited {
                retry_after_secs: 0,
            })
        });
    let harness = Harness::configured(script, false, |config, _| {
        config.ai.retry_base = Duration::from_secs(20);
    })
    .await;
    let query = harness.ask("Who leads?").await;
    let queue = harness.services.queue();
    let message = queue
        .receive(1, Duration::from_secs(30), Duration::ZERO)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let attempt = Attempt {
        receive_count: message.receive_count,
        max_receives: queue.max_receives(),
        deadline: None,
    };
    let before = harness.services.now();
    let outcome = process_one(&harness.services, &message.body, attempt).await;
    assert_eq!(
        outcome,
        Outcome::Retry {
            delay: Some(Duration::from_secs(20))
        }
    );
    let waiting = harness.finished_or_current(&query).await;
    assert_eq!(
        waiting.status,
        QueryStatus::Queued,
        "waiting is not running"
    );
    assert_eq!(waiting.attempts, 1);
    assert_eq!(
        waiting.notice.as_deref(),
        Some("the AI provider is rate limiting requests")
    );
    let retry_at = waiting.retry_at.expect("when the next try is due");
    assert!(retry_at >= before.plus_millis(20_000), "{retry_at:?}");
    assert!(retry_at <= harness.services.now().plus_millis(20_000));
}

#[tokio::test]
async fn the_sweep_bound_is_measured_on_the_services_clock() {
    let clock = ManualClock::at(SystemClock.now());
    let harness = Harness::configured(Script::new(), false, {
        let clock = clock.clone();
        move |config, ports| {
            config.requeue_after = Duration::from_secs(600);
            ports.clock = Arc::new(clock);
        }
    })
    .await;
    save_without_job(&harness, harness.services.now()).await;
    clock.advance(Duration::from_secs(599));
    assert_eq!(
        harness.services.requeue_stranded().await.queries,
        0,
        "not yet"
    );
    clock.advance(Duration::from_secs(2));
    assert_eq!(harness.services.requeue_stranded().await.queries, 1);
}
