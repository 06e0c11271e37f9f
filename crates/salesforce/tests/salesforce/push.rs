//! Pushing local edits on manual runs: per-record results, echoes, conflicts.

use std::time::Duration;

use expedite_core::store::FieldChange;
use expedite_domain::{CustomerId, SyncKind, SyncStatus};

use crate::support::{PAST_SETTLE, TestEnv};

fn id(text: &str) -> CustomerId {
    CustomerId::parse(text).expect("id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_run_pushes_edits_and_reports_the_record_salesforce_refuses() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(300, 21);
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    let ids: Vec<String> = env.sandbox.accounts()[..3]
        .iter()
        .map(|a| a.id.clone())
        .collect();
    env.sandbox.advance(Duration::from_secs(1));
    for (n, target) in ids.iter().enumerate() {
        env.store
            .record_local_edit(
                &id(target),
                vec![
                    FieldChange::Name(format!("Edited {n}")),
                    FieldChange::Website(None),
                ],
                env.sandbox.now(),
            )
            .await
            .unwrap();
    }
    env.sandbox.reject_writes_to(
        &ids[1],
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Name is locked",
    );
    env.sandbox.advance(Duration::from_secs(1));

    let run = env.sync(SyncKind::Manual).await;

    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert_eq!(run.pushed, 2);
    assert_eq!(run.issues.len(), 1, "{:?}", run.issues);
    assert_eq!(run.issues[0].record_id.as_deref(), Some(ids[1].as_str()));
    assert_eq!(run.issues[0].code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    for n in [0, 2] {
        let account = env.sandbox.account(&ids[n]).unwrap();
        assert_eq!(account.name, format!("Edited {n}"));
        assert_eq!(account.website, None);
    }
    let pending = env.store.pending_edits(None, 10).await.unwrap();
    assert_eq!(
        pending.len(),
        1,
        "the refused edit stays for the next manual run"
    );
    assert_eq!(pending[0].customer_id, id(&ids[1]));

    // The pushed records come back with their new SystemModstamp: mirrored, not pushed again.
    env.sandbox.advance(PAST_SETTLE);
    let echo = env.sync(SyncKind::Scheduled).await;
    assert_eq!(echo.pushed, 0);
    assert_eq!(env.local(&ids[0]).await.unwrap().name, "Edited 0");
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_older_than_salesforces_change_loses_and_is_reported() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(50, 4);
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    let target = env.sandbox.accounts()[0].id.clone();

    env.sandbox.advance(Duration::from_secs(1));
    env.store
        .record_local_edit(
            &id(&target),
            vec![FieldChange::Phone(Some("+1 555 0199".into()))],
            env.sandbox.now(),
        )
        .await
        .unwrap();
    env.sandbox.advance(Duration::from_secs(5));
    env.sandbox
        .update_account(&target, |a| a.phone = Some("+44 20 7946 0000".into()))
        .unwrap();
    env.sandbox.advance(PAST_SETTLE);

    let run = env.sync(SyncKind::Manual).await;

    assert_eq!(run.pushed, 0);
    assert_eq!(run.issues.len(), 1, "{:?}", run.issues);
    assert_eq!(run.issues[0].code, "CONFLICT");
    assert_eq!(run.issues[0].record_id.as_deref(), Some(target.as_str()));
    assert_eq!(
        env.sandbox.account(&target).unwrap().phone.as_deref(),
        Some("+44 20 7946 0000"),
        "Salesforce's later change stands"
    );
    assert!(env.store.pending_edits(None, 10).await.unwrap().is_empty());
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_salesforce_change_too_recent_to_be_pulled_still_wins_over_an_older_edit() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(50, 6);
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    let accounts = env.sandbox.accounts();
    let (changed_after, untouched, changed_before) =
        (&accounts[0].id, &accounts[1].id, &accounts[2].id);
    let edit = |target: &str, phone: &str| {
        let (store, at) = (env.store.clone(), env.sandbox.now());
        let (target, phone) = (id(target), phone.to_owned());
        async move {
            store
                .record_local_edit(&target, vec![FieldChange::Phone(Some(phone))], at)
                .await
                .unwrap();
        }
    };
    let salesforce_phone = |target: &str, phone: &'static str| {
        env.sandbox
            .update_account(target, |a| a.phone = Some(phone.into()))
            .unwrap();
    };

    env.sandbox.advance(Duration::from_secs(1));
    salesforce_phone(changed_before, "+1 555 0001");
    env.sandbox.advance(Duration::from_secs(1));
    edit(changed_after, "+1 555 0102").await;
    edit(untouched, "+1 555 0103").await;
    edit(changed_before, "+1 555 0104").await;
    // One second after the edit, and synced at once: inside the settle window, not pulled.
    env.sandbox.advance(Duration::from_secs(1));
    salesforce_phone(changed_after, "+44 20 7946 0001");

    let run = env.sync(SyncKind::Manual).await;

    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert_eq!(run.pushed, 2, "{:?}", run.issues);
    assert_eq!(run.issues.len(), 1, "{:?}", run.issues);
    assert_eq!(run.issues[0].code, "CONFLICT");
    assert_eq!(
        run.issues[0].record_id.as_deref(),
        Some(changed_after.as_str())
    );
    let phone = |target: &str| env.sandbox.account(target).unwrap().phone;
    assert_eq!(
        phone(changed_after).as_deref(),
        Some("+44 20 7946 0001"),
        "Salesforce's newer change stands"
    );
    assert_eq!(phone(untouched).as_deref(), Some("+1 555 0103"));
    assert_eq!(
        phone(changed_before).as_deref(),
        Some("+1 555 0104"),
        "an edit newer than Salesforce's change is the last writer"
    );
    assert!(env.store.pending_edits(None, 10).await.unwrap().is_empty());
    env.sandbox.advance(PAST_SETTLE);
    env.sync(SyncKind::Scheduled).await;
    env.assert_mirrors_sandbox().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_edits_than_one_collection_call_are_pushed_in_chunks() {
    let chemicals = FieldChange::Industry(Some("Chemicals".into()));
    let env = TestEnv::synced_with_edits(450, 8, chemicals).await;

    let run = env.sync(SyncKind::Manual).await;

    assert_eq!(run.pushed, 450, "{:?}", run.issues);
    assert!(
        env.sandbox
            .accounts()
            .iter()
            .all(|a| a.industry.as_deref() == Some("Chemicals"))
    );
    assert!(env.store.pending_edits(None, 10).await.unwrap().is_empty());
}
