//! Pulling: full and incremental windows, ties, changes while paging, deletes, expiry, limits.

use std::sync::Arc;

use expedite_domain::{SyncKind, SyncStatus};
use expedite_salesforce_sandbox::NewAccount;

use crate::support::{FIRST, PAST_SETTLE, T0, TestEnv};

fn account(name: &str) -> NewAccount {
    NewAccount {
        name: name.to_owned(),
        industry: Some("Energy".into()),
        ..NewAccount::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_sync_is_a_full_pull_that_mirrors_salesforce() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(1_000, 7);
    env.sandbox.advance(PAST_SETTLE);

    let run = env.sync(SyncKind::Scheduled).await;

    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert!(run.issues.is_empty(), "{:?}", run.issues);
    assert_eq!(
        run.window_start, None,
        "no watermark yet: from the beginning"
    );
    let upper = env.sandbox.now().plus_millis(-120_000);
    assert_eq!(run.window_end, Some(upper));
    assert_eq!(run.pulled, 1_000);
    assert_eq!(env.watermark().await, Some(upper));
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_runs_read_every_tie_on_the_window_boundary() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(300, 1);
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    let watermark = env.watermark().await.expect("watermark");

    // 450 accounts stamped exactly at the watermark (the previous exclusive upper bound), more
    // than two pages of 200 sharing one SystemModstamp.
    env.sandbox.set_now(watermark);
    for n in 0..450 {
        env.sandbox.insert_account(account(&format!("Tie {n}")));
    }
    env.sandbox
        .set_now(watermark.plus_millis(PAST_SETTLE.as_millis() as i64));
    let run = env.sync(SyncKind::Scheduled).await;

    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert_eq!(
        run.window_start,
        Some(watermark.plus_millis(-600_000)),
        "the window looks back from the watermark"
    );
    assert!(run.pulled >= 450, "pulled {}", run.pulled);
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_changed_between_pages_arrive_by_the_next_run() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(1_000, 3);
    env.sandbox.advance(PAST_SETTLE);
    // Ids in the order the window reads them.
    let mut order = env.sandbox.accounts();
    order.sort_by(|a, b| (a.system_modstamp, &a.id).cmp(&(b.system_modstamp, &b.id)));
    let (read, unread, gone) = (
        order[10].id.clone(),
        order[900].id.clone(),
        order[950].id.clone(),
    );

    let sandbox = env.sandbox.clone();
    let engine = env.hooked_engine(Arc::new(move |page| {
        if page == 1 {
            sandbox.update_account(&read, |a| a.phone = Some("+1 555 0101".into()));
            sandbox.update_account(&unread, |a| a.name = "Renamed mid-run".into());
            sandbox.delete_account(&gone);
            sandbox.insert_account(account("Created mid-run"));
        }
        Box::pin(async {})
    }));
    let (run, result) = env.run_with(&engine, SyncKind::Scheduled, FIRST).await;
    result.unwrap();
    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);

    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_are_mirrored() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(500, 11);
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;

    let doomed: Vec<String> = env.sandbox.accounts()[..5]
        .iter()
        .map(|a| a.id.clone())
        .collect();
    for id in &doomed {
        assert!(env.sandbox.delete_account(id));
    }
    env.sandbox.advance(PAST_SETTLE);
    let run = env.sync(SyncKind::Scheduled).await;

    assert_eq!(run.deleted, 5);
    for id in &doomed {
        assert!(env.local(id).await.expect("kept").is_deleted);
    }
    env.assert_mirrors_sandbox().await;

    // Restored from the recycle bin: live again after the next run.
    assert!(env.sandbox.undelete_account(&doomed[0]));
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    assert!(!env.local(&doomed[0]).await.expect("kept").is_deleted);
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_mid_paging_signs_in_again_and_finishes() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(1_000, 5);
    env.sandbox.advance(PAST_SETTLE);
    let sandbox = env.sandbox.clone();
    let engine = env.hooked_engine(Arc::new(move |page| {
        if page == 2 {
            sandbox.expire_sessions();
        }
        Box::pin(async {})
    }));

    let (run, result) = env.run_with(&engine, SyncKind::Scheduled, FIRST).await;

    result.unwrap();
    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert!(env.watermark().await.is_some());
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_limit_stops_cleanly_keeps_the_watermark_and_the_next_run_resumes() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(1_000, 9);
    env.sandbox.advance(PAST_SETTLE);
    let sandbox = env.sandbox.clone();
    let engine = env.hooked_engine(Arc::new(move |page| {
        if page == 2 {
            let (_, limit) = sandbox.api_usage();
            sandbox.set_api_usage(limit, limit);
        }
        Box::pin(async {})
    }));

    let (run, result) = env.run_with(&engine, SyncKind::Scheduled, FIRST).await;

    result.unwrap();
    assert_eq!(run.status, SyncStatus::Completed);
    assert_eq!(run.pulled, 400, "two pages of 200 were written");
    let issue = run.issues.last().expect("an issue says why");
    assert_eq!(issue.code, "API_LIMIT_REACHED");
    assert!(issue.message.contains("next run"), "{}", issue.message);
    assert_eq!(env.watermark().await, None, "the watermark is kept");

    env.sandbox.set_api_usage(0, 15_000);
    env.sandbox.advance(PAST_SETTLE);
    let run = env.sync(SyncKind::Scheduled).await;
    assert!(run.issues.is_empty(), "{:?}", run.issues);
    assert!(env.watermark().await.is_some());
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_above_the_threshold_stops_before_the_allowance_is_gone() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(1_000, 13);
    env.sandbox.advance(PAST_SETTLE);
    env.sandbox.set_api_usage(13_600, 15_000);

    let run = env.sync(SyncKind::Scheduled).await;

    assert_eq!(run.status, SyncStatus::Completed);
    assert_eq!(
        run.pulled, 200,
        "stopped after the first answer reported the usage"
    );
    assert_eq!(run.issues[0].code, "API_LIMIT_REACHED");
    assert!(
        run.issues[0].message.contains("90 %"),
        "{}",
        run.issues[0].message
    );
    assert_eq!(env.watermark().await, None);
    assert!(T0 < env.sandbox.now());
}
