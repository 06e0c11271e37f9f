//! The local loop over the real SQLite queue.

use std::{sync::Arc, time::Duration};

use expedite_core::{jobs::Job, queue::Queue};
use expedite_runtime::local::{LoopOptions, run_queue, run_schedule};
use expedite_sqlite::{Database, SqliteQueue};
use tokio_util::sync::CancellationToken;

use crate::support::{Recorder, transient};

struct Harness {
    queue: Arc<SqliteQueue>,
    stop: CancellationToken,
    _data: tempfile::TempDir,
}

impl Harness {
    async fn new(max_receives: u32) -> Self {
        let data = tempfile::tempdir().unwrap();
        let db = Database::open(data.path()).await.unwrap();
        Self {
            queue: Arc::new(SqliteQueue::new(db, "jobs", max_receives)),
            stop: CancellationToken::new(),
            _data: data,
        }
    }

    fn run(&self, handler: Arc<Recorder>, visibility: Duration) -> tokio::task::JoinHandle<()> {
        let options = LoopOptions {
            batch: 5,
            concurrency: 4,
            visibility,
            // Long enough that only a wake-up (not the poll timeout) can explain prompt pickup.
            wait: Duration::from_secs(20),
            max_backoff: Duration::from_millis(200),
        };
        tokio::spawn(run_queue(
            handler,
            self.queue.clone() as Arc<dyn Queue>,
            options,
            self.stop.clone(),
        ))
    }

    async fn stop(&self, task: tokio::task::JoinHandle<()>) {
        self.stop.cancel();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("loop stops on shutdown")
            .unwrap();
    }
}

fn query(id: &str) -> String {
    Job::AiQuery {
        query_id: id.into(),
    }
    .to_body()
}

#[tokio::test]
async fn a_sent_job_is_processed_once_and_acknowledged() {
    let harness = Harness::new(5).await;
    let handler = Recorder::scripted([]);
    let task = harness.run(handler.clone(), Duration::from_secs(30));

    harness
        .queue
        .send(&query("q-1"), Duration::ZERO)
        .await
        .unwrap();
    handler.wait_for_calls(1).await;
    harness.stop(task).await;

    assert_eq!(handler.calls()[0].1.receive_count, 1);
    let left = harness
        .queue
        .receive(10, Duration::from_secs(1), Duration::ZERO)
        .await
        .unwrap();
    assert!(left.is_empty(), "acknowledged messages are gone: {left:?}");
}

#[tokio::test]
async fn a_transient_failure_is_redelivered_after_the_visibility_timeout() {
    let harness = Harness::new(5).await;
    let handler = Recorder::scripted([transient()]);
    let task = harness.run(handler.clone(), Duration::from_millis(300));

    harness
        .queue
        .send(&query("q-2"), Duration::ZERO)
        .await
        .unwrap();
    handler.wait_for_calls(2).await;
    harness.stop(task).await;

    let counts: Vec<u32> = handler
        .calls()
        .iter()
        .map(|(_, a)| a.receive_count)
        .collect();
    assert_eq!(counts, [1, 2]);
}

#[tokio::test]
async fn a_job_that_keeps_failing_ends_in_the_dead_letter_queue() {
    let harness = Harness::new(3).await;
    let handler = Recorder::scripted((0..10).map(|_| transient()));
    let task = harness.run(handler.clone(), Duration::from_millis(100));

    harness
        .queue
        .send(&query("q-3"), Duration::ZERO)
        .await
        .unwrap();
    handler.wait_for_calls(3).await;
    // Give the loop time to pick it up a fourth time if it wrongly would.
    tokio::time::timeout(Duration::from_secs(5), async {
        while harness
            .queue
            .receive_dead_letters(10, Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("dead-lettered");
    harness.stop(task).await;

    assert_eq!(handler.calls().len(), 3, "exactly max_receives deliveries");
    assert!(handler.calls()[2].1.is_last());
    let dead = harness
        .queue
        .receive_dead_letters(10, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].body, query("q-3"));
}

#[tokio::test]
async fn the_schedule_enqueues_the_poll() {
    let harness = Harness::new(5).await;
    let handler = Recorder::scripted([]);
    let task = harness.run(handler.clone(), Duration::from_secs(30));
    let schedule = tokio::spawn(run_schedule(
        harness.queue.clone() as Arc<dyn Queue>,
        Duration::from_millis(50),
        harness.stop.clone(),
    ));

    handler.wait_for_calls(2).await;
    harness.stop(task).await;
    schedule.await.unwrap();
    assert!(
        handler
            .calls()
            .iter()
            .all(|(job, _)| *job == Job::ScheduledPoll)
    );
}
