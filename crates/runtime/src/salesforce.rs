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
    system_clock,
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
    if let Some(salesforce) = configured {
        let client = SalesforceClient::new(salesforce).context("building the Salesforce client")?;
        tracing::info!("syncing customers from the configured Salesforce org");
        let engine = SalesforceSync::new(
            client,
            Arc::clone(store),
            SyncSettings::default(),
            system_clock(),
        );
        return Ok(Some(Arc::new(engine)));
    }
    if !config.demo_salesforce {
        return Ok(None);
    }
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .context("starting the demo Salesforce sandbox")?;
    sandbox.seed_accounts(DEMO_ACCOUNTS, 42);
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
        SyncSettings::default(),
        system_clock(),
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
