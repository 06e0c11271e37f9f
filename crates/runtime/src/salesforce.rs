//! The Salesforce side of a process: the configured org, or in demo mode a built-in sandbox
//! org seeded with sample accounts, each behind the sync engine.

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use expedite_core::{
    Config,
    jobs::{Attempt, JobError},
    store::Store,
    sync::SyncEngine,
};
use expedite_domain::SyncId;
use expedite_salesforce::{
    AuthFlow, SalesforceClient, SalesforceConfig, SalesforceSync, Secret, SyncSettings,
};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};

/// Sample accounts in the demo org.
const DEMO_ACCOUNTS: usize = 2_500;

/// The sync engine the configuration asks for: the org named by `SALESFORCE_*`, else the demo
/// sandbox when demo mode is on, else none.
pub async fn sync_engine(
    config: &Config,
    store: &Arc<dyn Store>,
) -> anyhow::Result<Option<Arc<dyn SyncEngine>>> {
    let configured = SalesforceConfig::from_vars(|name| config.salesforce.get(name))
        .context("reading the SALESFORCE_* variables")?;
    if let Some(mut salesforce) = configured {
        if let Some(ca) = &config.ca_bundle {
            tracing::info!(ca.file = %ca.path().display(), ca.certificates = ca.len(), "trusting the extra certificate authorities for Salesforce");
            salesforce.trust(ca);
        }
        let client = SalesforceClient::new(salesforce).context("building the Salesforce client")?;
        tracing::info!("syncing customers from the configured Salesforce org");
        let engine = SalesforceSync::new(
            client,
            Arc::clone(store),
            SyncSettings::default(),
            expedite_core::clock::system(),
        );
        return Ok(Some(Arc::new(engine)));
    }
    if !config.demo_salesforce {
        return Ok(None);
    }
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .context("starting the demo Salesforce sandbox")?;
    let settings = SyncSettings::default();
    // The first sync reads up to a settle interval before its start: stamped earlier still
    // (with a minute to spare), every sample account is in it, however soon it runs.
    let settle_ms = i64::try_from(settings.settle.as_millis()).unwrap_or(i64::MAX);
    let before = sandbox.now().plus_millis(-(settle_ms + 60_000));
    sandbox.seed_accounts_before(DEMO_ACCOUNTS, 42, before);
    let demo = sandbox.config();
    let mut salesforce = SalesforceConfig::new(AuthFlow::ClientCredentials {
        client_id: demo.client_id.clone(),
        client_secret: Secret::new(demo.client_secret.clone()),
    });
    salesforce.login_url = sandbox.base_url();
    let client =
        SalesforceClient::new(salesforce).context("building the demo Salesforce client")?;
    tracing::info!(url = %sandbox.base_url(), accounts = DEMO_ACCOUNTS, "demo mode: syncing customers from the built-in Salesforce sandbox");
    let engine = SalesforceSync::new(
        client,
        Arc::clone(store),
        settings,
        expedite_core::clock::system(),
    );
    Ok(Some(Arc::new(DemoSync {
        engine,
        _sandbox: sandbox,
    })))
}

/// The engine over the in-process sandbox, which lives as long as the engine does.
struct DemoSync {
    engine: SalesforceSync,
    _sandbox: Sandbox,
}

#[async_trait]
impl SyncEngine for DemoSync {
    async fn run(&self, id: &SyncId, attempt: Attempt) -> Result<(), JobError> {
        self.engine.run(id, attempt).await
    }
}

#[cfg(test)]
mod tests {
    use expedite_domain::{SyncId, SyncKind, SyncRun, SyncStatus};
    use expedite_sqlite::{Database, SqliteStore};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_first_demo_sync_pulls_every_sample_account() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path().to_owned());
        config.demo_salesforce = true;
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::new(Database::open(dir.path()).await.unwrap()));
        let engine = sync_engine(&config, &store)
            .await
            .unwrap()
            .expect("demo org");
        let now = expedite_core::clock::Clock::now(&expedite_core::clock::SystemClock);
        let id = SyncId::parse("0190b3a0-0000-7000-8000-000000000001").unwrap();
        let run = SyncRun {
            id: id.clone(),
            kind: SyncKind::Scheduled,
            status: SyncStatus::Queued,
            triggered_by: None,
            window_start: None,
            window_end: None,
            pulled: 0,
            pushed: 0,
            deleted: 0,
            issues: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        store.put_sync_run(&run).await.unwrap();
        let first = Attempt {
            receive_count: 1,
            max_receives: 5,
        };

        engine.run(&id, first).await.unwrap();

        let run = store.get_sync_run(&id).await.unwrap().unwrap();
        assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
        assert_eq!(
            run.pulled, DEMO_ACCOUNTS as u32,
            "every sample account, at once"
        );
    }
}
