//! The run record: overlapping runs, retries, redeliveries and the last attempt.

use std::sync::Arc;

use expedite_core::{jobs::JobError, sync::SyncEngine};
use expedite_domain::{SyncKind, SyncStatus};
use tokio::sync::{Mutex, oneshot};

use crate::support::{FIRST, LAST, PAST_SETTLE, Queued, TestEnv};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_run_during_a_manual_run_is_skipped() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(600, 2);
    env.sandbox.advance(PAST_SETTLE);

    // The manual run pauses while writing its second page until the scheduled run has finished.
    let (paused_tx, paused_rx) = oneshot::channel::<()>();
    let (resume_tx, resume_rx) = oneshot::channel::<()>();
    let paused = Arc::new(Mutex::new(Some((paused_tx, resume_rx))));
    let manual_engine = env.hooked_engine(Arc::new(move |page| {
        let paused = Arc::clone(&paused);
        Box::pin(async move {
            if page == 2
                && let Some((tell, wait)) = paused.lock().await.take()
            {
                tell.send(()).unwrap();
                wait.await.unwrap();
            }
        })
    }));
    let manual_id = env.queue_run(SyncKind::Manual).await;
    let manual = tokio::spawn({
        let id = manual_id.clone();
        async move { manual_engine.run(&id, 0, FIRST, &Queued::default()).await }
    });
    paused_rx.await.unwrap();

    let (scheduled, result) = env
        .run_with(&env.engine(), SyncKind::Scheduled, FIRST)
        .await;
    result.unwrap();
    assert_eq!(scheduled.status, SyncStatus::Skipped);
    assert_eq!(scheduled.issues[0].code, "SYNC_IN_PROGRESS");
    assert_eq!(scheduled.pulled, 0);

    let during = env.stored_run(&manual_id).await;
    assert_eq!(during.status, SyncStatus::Running);
    assert!(
        during.window_end.is_some(),
        "the window is recorded at start"
    );
    assert_eq!(during.pulled, 200, "counts are saved as pages arrive");

    resume_tx.send(()).unwrap();
    manual.await.unwrap().unwrap();
    assert_eq!(
        env.stored_run(&manual_id).await.status,
        SyncStatus::Completed
    );
    // The lease was released: the next run goes ahead.
    let next = env.sync(SyncKind::Scheduled).await;
    assert_eq!(next.status, SyncStatus::Completed);
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_unavailable_answers_are_retried() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(300, 6);
    env.sandbox.advance(PAST_SETTLE);
    env.sandbox.fail_next(2, 503);

    let run = env.sync(SyncKind::Scheduled).await;

    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_failures_retry_the_job_then_fail_the_run_on_the_last_attempt() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(100, 6);
    env.sandbox.advance(PAST_SETTLE);
    let engine = env.engine();
    let id = env.queue_run(SyncKind::Scheduled).await;

    env.sandbox.fail_next(3, 503);
    let result = engine.run(&id, 0, FIRST, &Queued::default()).await;
    assert!(
        matches!(result, Err(JobError::Transient { .. })),
        "{result:?}"
    );
    let run = env.stored_run(&id).await;
    assert_eq!(
        run.status,
        SyncStatus::Running,
        "left for the next delivery"
    );
    assert_eq!(env.watermark().await, None);

    env.sandbox.fail_next(3, 503);
    let result = engine.run(&id, 0, LAST, &Queued::default()).await;
    assert!(matches!(result, Err(JobError::Permanent(_))), "{result:?}");
    let run = env.stored_run(&id).await;
    assert_eq!(run.status, SyncStatus::Failed);
    assert!(
        run.issues.iter().any(|i| i.message.contains("503")),
        "{:?}",
        run.issues
    );

    // A finished run delivered again is left alone.
    engine.run(&id, 0, FIRST, &Queued::default()).await.unwrap();
    assert_eq!(env.stored_run(&id).await, run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_run_finishes_in_the_window_it_started_with() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(300, 12);
    env.sandbox.advance(PAST_SETTLE);
    let engine = env.engine();
    let id = env.queue_run(SyncKind::Scheduled).await;
    env.sandbox.fail_next(3, 500);
    assert!(engine.run(&id, 0, FIRST, &Queued::default()).await.is_err());
    let window = env.stored_run(&id).await.window_end;

    env.sandbox.advance(PAST_SETTLE);
    engine.run(&id, 0, FIRST, &Queued::default()).await.unwrap();
    let run = env.stored_run(&id).await;
    assert_eq!(run.status, SyncStatus::Completed);
    assert_eq!(run.window_end, window);
    assert_eq!(env.watermark().await, window);
}
