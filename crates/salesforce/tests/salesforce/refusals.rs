//! What Salesforce refuses during a push never fails the run: a chunk refused as a whole
//! becomes issues for its records, which stay pending, and the push goes on. Server errors
//! are still retried by a later delivery.

use expedite_core::{jobs::JobError, store::FieldChange};
use expedite_domain::{CustomerId, SyncKind, SyncStatus};
use expedite_salesforce::{SalesforceClient, SalesforceError, edit_record};

use crate::support::{FIRST, Queued, TestEnv};

/// The website every pushed edit sets (no seeded account has it).
const PUSHED: &str = "https://pushed.example";

/// A synced org of `n` accounts, each with a pending local edit of its website.
async fn edited(n: usize, seed: u64) -> TestEnv {
    TestEnv::synced_with_edits(n, seed, FieldChange::Website(Some(PUSHED.into()))).await
}

fn pushed(env: &TestEnv) -> usize {
    env.sandbox
        .accounts()
        .iter()
        .filter(|a| a.website.as_deref() == Some(PUSHED))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_refused_as_a_whole_becomes_issues_and_the_next_chunk_is_pushed() {
    let env = edited(250, 12).await;
    env.sandbox
        .fail_next_at("/composite/sobjects", 1, 400, "INVALID_FIELD");

    let run = env.sync(SyncKind::Manual).await;

    assert_eq!(
        run.status,
        SyncStatus::Completed,
        "{:?}",
        run.issues.first()
    );
    assert_eq!(run.pushed, 50);
    assert_eq!(run.issues.len(), 200);
    assert!(run.issues.iter().all(|i| i.code == "INVALID_FIELD"));
    let pending = env.store.pending_edits(None, 300).await.unwrap();
    assert_eq!(pending.len(), 200, "the refused chunk stays pending");
    let first_ids: Vec<String> = env.sandbox.accounts()[..200]
        .iter()
        .map(|a| a.id.clone())
        .collect();
    let issue_ids: Vec<String> = run
        .issues
        .iter()
        .map(|i| i.record_id.clone().unwrap())
        .collect();
    assert_eq!(issue_ids, first_ids, "one issue per record of the chunk");
    assert_eq!(pushed(&env), 50);

    // The next manual run pushes what was refused, now that Salesforce takes it.
    let again = env.sync(SyncKind::Manual).await;
    assert_eq!(again.pushed, 200, "{:?}", again.issues.first());
    assert!(again.issues.is_empty());
    assert_eq!(pushed(&env), 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_conflict_check_keeps_its_chunk_pending_and_writes_nothing() {
    let env = edited(5, 13).await;
    // `/query` only: the pull reads through `/queryAll`.
    env.sandbox
        .fail_next_at("/query", 1, 400, "MALFORMED_QUERY");

    let run = env.sync(SyncKind::Manual).await;

    assert_eq!(run.status, SyncStatus::Completed);
    assert_eq!(run.pushed, 0);
    assert_eq!(run.issues.len(), 5, "{:?}", run.issues);
    assert!(run.issues.iter().all(|i| i.code == "MALFORMED_QUERY"));
    assert_eq!(pushed(&env), 0, "nothing written without the check");
    assert_eq!(env.store.pending_edits(None, 10).await.unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_on_the_push_is_left_to_the_next_delivery() {
    let env = edited(5, 14).await;
    // More failures than the client's tries (3): the delivery gives up, the run is not failed.
    env.sandbox
        .fail_next_at("/composite/sobjects", 3, 503, "SERVER_UNAVAILABLE");
    let id = env.queue_run(SyncKind::Manual).await;
    let engine = env.engine();

    let result =
        expedite_core::sync::SyncEngine::run(&engine, &id, 0, FIRST, &Queued::default()).await;

    assert!(
        matches!(result, Err(JobError::Transient { .. })),
        "{result:?}"
    );
    assert_eq!(env.stored_run(&id).await.status, SyncStatus::Running);
    assert_eq!(env.store.pending_edits(None, 10).await.unwrap().len(), 5);
    let second = expedite_core::jobs::Attempt {
        receive_count: 2,
        ..FIRST
    };
    expedite_core::sync::SyncEngine::run(&engine, &id, 0, second, &Queued::default())
        .await
        .expect("the next delivery finishes the push");
    let run = env.stored_run(&id).await;
    assert_eq!((run.status, run.pushed), (SyncStatus::Completed, 5));
    assert_eq!(pushed(&env), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_updated_by_id_never_upserted_on_it() {
    let env = edited(3, 15).await;
    let client: &SalesforceClient = &env.client;
    let account = &env.sandbox.accounts()[0];
    let record = edit_record(
        &CustomerId::parse(&account.id).unwrap(),
        &[FieldChange::Name("Renamed".into())],
    );
    let error = client
        .upsert_collection("Account", "Id", std::slice::from_ref(&record))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SalesforceError::InvalidField(_)),
        "{error:?}"
    );
    let results = client.update_collection(&[record]).await.unwrap();
    assert!(results[0].success, "{results:?}");
    assert_eq!(results[0].id.as_deref(), Some(account.id.as_str()));
    assert_eq!(env.sandbox.account(&account.id).unwrap().name, "Renamed");
}
