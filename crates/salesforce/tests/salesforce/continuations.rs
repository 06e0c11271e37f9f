//! Runs that span deliveries: a deadline makes the run pause after a page (or push chunk),
//! queue its next step and resume from the checkpoint, until the window is written.

use std::time::{Duration, Instant};

use expedite_core::{jobs::Attempt, store::FieldChange, sync::SyncEngine};
use expedite_domain::{SyncId, SyncKind, SyncRun, SyncStatus};

use crate::support::{FIRST, PAST_SETTLE, Queued, TestEnv};

/// A delivery whose time is already up: it writes one page (every delivery advances) and
/// pauses before the next.
fn out_of_time() -> Attempt {
    Attempt {
        deadline: Some(Instant::now()),
        ..FIRST
    }
}

/// Delivers step after step, as the queue would, until the run stops pausing; returns the
/// run after each delivery.
async fn deliver_until_done(env: &TestEnv, id: &SyncId) -> Vec<SyncRun> {
    let engine = env.engine();
    let queued = Queued::default();
    let mut step = 0;
    let mut runs = Vec::new();
    loop {
        engine
            .run(id, step, out_of_time(), &queued)
            .await
            .expect("delivery succeeds");
        let run = env.stored_run(id).await;
        runs.push(run.clone());
        let steps = queued.steps();
        match steps.last() {
            Some(&next) if next > step => step = next,
            _ => return runs,
        }
        assert!(runs.len() < 100, "the run never ends: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_out_of_time_continues_from_its_checkpoint_until_the_window_is_written() {
    let env = TestEnv::start().await;
    // Two batches of equal stamps, so pages end inside runs of ties and the Id breaks them.
    env.sandbox.seed_accounts(530, 11);
    env.sandbox.advance(Duration::from_secs(1));
    env.sandbox.seed_accounts(470, 12);
    env.sandbox.advance(PAST_SETTLE);
    let id = env.queue_run(SyncKind::Scheduled).await;

    let runs = deliver_until_done(&env, &id).await;

    let first = &runs[0];
    assert_eq!(first.status, SyncStatus::Running);
    assert_eq!(
        (first.pages, first.pulled, first.continuations),
        (1, 200, 1)
    );
    let place = first.checkpoint.as_ref().and_then(|c| c.pulled_to.as_ref());
    assert!(place.is_some(), "the first page leaves a checkpoint");
    assert_eq!(
        env.watermark().await,
        runs.last().unwrap().window_end,
        "the watermark moves once, at the end"
    );
    assert!(
        runs.iter().all(|r| r.window_end == first.window_end),
        "every delivery keeps the window"
    );
    let last = runs.last().unwrap();
    assert_eq!(last.status, SyncStatus::Completed, "{:?}", last.issues);
    assert_eq!(last.pulled, 1000, "each record counted once");
    assert_eq!(last.pages, 5);
    assert_eq!(last.continuations, 4, "no pause after the last page");
    assert!(last.issues.is_empty(), "{:?}", last.issues);
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watermark_waits_for_the_whole_window_and_a_superseded_message_does_nothing() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(450, 3);
    env.sandbox.advance(PAST_SETTLE);
    let id = env.queue_run(SyncKind::Scheduled).await;
    let engine = env.engine();
    let queued = Queued::default();

    engine.run(&id, 0, out_of_time(), &queued).await.unwrap();
    assert_eq!(queued.steps(), [1]);
    assert_eq!(
        env.watermark().await,
        None,
        "not before the window is written"
    );

    // The first message comes back (its acknowledgement was lost): step 1 supersedes it.
    engine.run(&id, 0, FIRST, &queued).await.unwrap();
    let run = env.stored_run(&id).await;
    assert_eq!((run.status, run.pulled), (SyncStatus::Running, 200));

    engine.run(&id, 1, FIRST, &queued).await.unwrap();
    let run = env.stored_run(&id).await;
    assert_eq!(run.status, SyncStatus::Completed);
    assert_eq!((run.pulled, run.continuations), (450, 1));
    assert_eq!(queued.steps(), [1], "no deadline, no more pauses");
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_push_out_of_time_continues_after_the_last_chunk_it_sent() {
    let chemicals = FieldChange::Industry(Some("Chemicals".into()));
    let env = TestEnv::synced_with_edits(450, 8, chemicals).await;
    let id = env.queue_run(SyncKind::Manual).await;

    let runs = deliver_until_done(&env, &id).await;

    let last = runs.last().unwrap();
    assert_eq!(last.status, SyncStatus::Completed, "{:?}", last.issues);
    assert_eq!(last.pushed, 450, "each edit pushed once");
    assert!(last.issues.is_empty(), "{:?}", last.issues);
    // One pull page (450 re-read), then three push chunks of at most 200, each its own delivery.
    assert!(last.continuations >= 3, "{}", last.continuations);
    let pushed_to = last.checkpoint.as_ref().and_then(|c| c.pushed_to.clone());
    assert!(pushed_to.is_some());
    assert!(
        env.sandbox
            .accounts()
            .iter()
            .all(|a| a.industry.as_deref() == Some("Chemicals"))
    );
    assert!(env.store.pending_edits(None, 10).await.unwrap().is_empty());
}
