//! What the account page links and names: `Owner.Name` mapped onto customers, and the org's
//! instance URL kept on every run that signed in.

use std::time::Duration;

use expedite_core::sync::SyncEngine as _;
use expedite_domain::{SyncKind, SyncStatus};
use expedite_salesforce::{AccountRow, SalesforceClient, window_soql};
use expedite_salesforce_sandbox::{NewAccount, Sandbox, SandboxConfig, users};

use crate::support::{FIRST, PAST_SETTLE, Queued, T0, TestEnv, client_config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_names_come_from_the_nested_owner_record_or_stay_empty() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    sandbox.set_now(T0);
    sandbox.seed_accounts(450, 3);
    let ownerless = sandbox.insert_account(NewAccount {
        name: "Nobody's".into(),
        owner_id: Some(String::new()),
        ..NewAccount::default()
    });
    sandbox.advance(Duration::from_secs(1));
    let client = SalesforceClient::new(client_config(&sandbox)).unwrap();

    let mut cursor = client.cursor(window_soql(None, sandbox.now(), None), true, Some(200));
    let mut customers = Vec::new();
    while let Some(page) = cursor.next_page::<AccountRow>().await.unwrap() {
        for row in page {
            customers.push(row.into_customer(T0).unwrap());
        }
    }
    assert_eq!(customers.len(), 451);
    let names = users();
    for customer in &customers {
        let account = sandbox.account(customer.id.as_str()).unwrap();
        assert_eq!(
            customer.owner_name.as_deref(),
            account.owner_name(),
            "{}",
            customer.id
        );
        if customer.id.as_str() != ownerless.id {
            let owner = customer.owner_id.as_deref().unwrap();
            assert!(
                names
                    .iter()
                    .any(|(id, name)| id == owner && customer.owner_name.as_deref() == Some(*name))
            );
        }
    }
    let distinct: std::collections::HashSet<_> = customers
        .iter()
        .filter_map(|c| c.owner_name.clone())
        .collect();
    assert!(distinct.len() > 1, "owners are spread over the users");
    let nobody = customers
        .iter()
        .find(|c| c.id.as_str() == ownerless.id)
        .unwrap();
    assert_eq!(nobody.owner_name, None, "\"Owner\": null");
    assert_eq!(nobody.owner_id, None, "an empty OwnerId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_records_the_instance_url_it_signed_in_to() {
    let env = TestEnv::start().await;
    env.sandbox.seed_accounts(250, 4);
    env.sandbox.advance(PAST_SETTLE);

    let run = env.sync(SyncKind::Scheduled).await;
    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    assert_eq!(run.instance_url, Some(env.sandbox.base_url()));
    let body = serde_json::to_value(&run).unwrap();
    assert_eq!(body["instance_url"], env.sandbox.base_url().as_str());
    env.assert_mirrors_sandbox().await;

    // A delivery that cannot sign in records none; the next one that does, records it.
    let engine = env.engine();
    env.client.reauthenticate().await;
    let id = env.queue_run(SyncKind::Manual).await;
    env.sandbox.fail_next(3, 503);
    assert!(engine.run(&id, 0, FIRST, &Queued::default()).await.is_err());
    let interrupted = env.stored_run(&id).await;
    assert_eq!(interrupted.status, SyncStatus::Running);
    assert_eq!(interrupted.instance_url, None);
    engine.run(&id, 0, FIRST, &Queued::default()).await.unwrap();
    let finished = env.stored_run(&id).await;
    assert_eq!(
        finished.status,
        SyncStatus::Completed,
        "{:?}",
        finished.issues
    );
    assert_eq!(finished.instance_url, Some(env.sandbox.base_url()));
}
