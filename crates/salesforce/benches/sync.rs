//! Sync throughput: a sandbox seeded with 100 000 Accounts, a first full sync into the
//! embedded store on a temporary directory, then an incremental run with few changes.
//!
//! Prints records per second and the peak resident memory (VmHWM). The sandbox runs in the
//! same process, so the memory figures include its copy of the accounts; the resident size
//! before the first sync is printed to tell the two apart.
//!
//! `cargo bench -p expedite-salesforce --bench sync` (`EXPEDITE_BENCH_ACCOUNTS` changes the size).

use std::{sync::Arc, time::Instant};

use expedite_core::{jobs::Attempt, store::Store, sync::SyncEngine};
use expedite_domain::{SyncId, SyncKind, SyncRun, SyncStatus, Timestamp};
use expedite_salesforce::{
    AuthFlow, SalesforceClient, SalesforceConfig, SalesforceSync, Secret, SyncSettings,
};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use expedite_sqlite::{Database, SqliteStore};

const ATTEMPT: Attempt = Attempt {
    receive_count: 1,
    max_receives: 3,
    deadline: None,
};
const PAST_SETTLE: std::time::Duration = std::time::Duration::from_secs(180);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let accounts: usize = std::env::var("EXPEDITE_BENCH_ACCOUNTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let sandbox = Sandbox::start(SandboxConfig {
        daily_api_limit: 1_000_000,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    sandbox.set_now(Timestamp::from_millis(1_735_689_600_000));
    let seeding = Instant::now();
    sandbox.seed_accounts(accounts, 42);
    sandbox.advance(PAST_SETTLE);
    println!(
        "seeded {accounts} accounts in {:.1} s; resident before sync: {} MiB",
        seeding.elapsed().as_secs_f64(),
        memory_mib("VmRSS")
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::new(
        Database::open(dir.path()).await.expect("database"),
    ));
    let config = sandbox.config();
    let mut client_config = SalesforceConfig::new(AuthFlow::ClientCredentials {
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
    });
    client_config.login_url = sandbox.base_url();
    let client = SalesforceClient::new(client_config).expect("client");
    let engine = SalesforceSync::new(
        client,
        Arc::clone(&store),
        SyncSettings::default(),
        Arc::new(sandbox.clone()),
    );

    let full = timed_run(&engine, &*store, &sandbox).await;
    println!(
        "full sync: {} records in {:.2} s = {:.0} records/s; peak resident (VmHWM): {} MiB",
        full.0.pulled,
        full.1,
        f64::from(full.0.pulled) / full.1,
        memory_mib("VmHWM")
    );

    let ids: Vec<String> = sandbox
        .accounts()
        .iter()
        .step_by((accounts / 100).max(1))
        .map(|a| a.id.clone())
        .collect();
    for id in &ids {
        sandbox.update_account(id, |a| a.phone = Some("+1 555 0100".into()));
    }
    sandbox.advance(PAST_SETTLE);
    let incremental = timed_run(&engine, &*store, &sandbox).await;
    println!(
        "incremental sync: {} changed, {} records read (lookback included) in {:.3} s",
        ids.len(),
        incremental.0.pulled,
        incremental.1
    );
}

async fn timed_run(
    engine: &SalesforceSync,
    store: &dyn Store,
    sandbox: &Sandbox,
) -> (SyncRun, f64) {
    let id = SyncId::parse(uuid::Uuid::now_v7().to_string()).expect("uuid");
    let now = sandbox.now();
    store
        .put_sync_run(&SyncRun::queued(id.clone(), SyncKind::Scheduled, None, now))
        .await
        .expect("run");
    let started = Instant::now();
    engine
        .run(&id, 0, ATTEMPT, &expedite_core::sync::NoContinuations)
        .await
        .expect("sync");
    let elapsed = started.elapsed().as_secs_f64();
    let run = store.get_sync_run(&id).await.expect("get").expect("run");
    assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
    (run, elapsed)
}

/// A `/proc/self/status` memory line (`VmRSS`, `VmHWM`) in MiB; 0 where there is none.
fn memory_mib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(field)?.strip_prefix(':')?;
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        })
        .map_or(0, |kib| kib / 1024)
}
