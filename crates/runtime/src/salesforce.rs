//! The Salesforce side of a process: the configured org, or in demo mode a built-in sandbox
//! org seeded with sample accounts, each behind the sync engine.

use std::sync::Arc;

use anyhow::{Context, bail};
use async_trait::async_trait;
use expedite_core::{
    Config,
    jobs::{Attempt, JobError},
    store::Store,
    sync::{Continuations, SyncEngine},
};
use expedite_domain::SyncId;
use expedite_salesforce::{
    AuthFlow, SalesforceClient, SalesforceConfig, SalesforceSync, Secret, SyncSettings,
};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};

use crate::secrets::{SALESFORCE_SECRET_VAR, Secrets};

/// Sample accounts in the demo org.
const DEMO_ACCOUNTS: usize = 2_500;

/// The sync engine the configuration asks for: the org named by `SALESFORCE_*`, else the demo
/// sandbox when demo mode is on, else none. For configurations that refer to no secret.
pub async fn sync_engine(
    config: &Config,
    store: &Arc<dyn Store>,
) -> anyhow::Result<Option<Arc<dyn SyncEngine>>> {
    sync_engine_with(config, store, &Secrets::default()).await
}

/// [`sync_engine`] with the Salesforce secret's parts (read at start-up) filling the client
/// secret and the private key.
pub async fn sync_engine_with(
    config: &Config,
    store: &Arc<dyn Store>,
    secrets: &Secrets,
) -> anyhow::Result<Option<Arc<dyn SyncEngine>>> {
    if let Some(mut salesforce) = configured_org(config, secrets)? {
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

/// Whether this deployment syncs with an org or the demo sandbox, for a process that runs no
/// jobs: only `SALESFORCE_CLIENT_ID` is looked at; no client is built and no secret read.
pub fn configured(config: &Config) -> bool {
    config.salesforce.get("SALESFORCE_CLIENT_ID").is_some() || config.demo_salesforce
}

/// The variables each part of the Salesforce secret stands in for.
const SECRET_PARTS: [(&str, &[&str]); 2] = [
    ("client_secret", &["SALESFORCE_CLIENT_SECRET"]),
    (
        "private_key",
        &["SALESFORCE_PRIVATE_KEY", "SALESFORCE_PRIVATE_KEY_FILE"],
    ),
];

/// The org `SALESFORCE_*` names, with the secret's parts in place of `SALESFORCE_CLIENT_SECRET`
/// and `SALESFORCE_PRIVATE_KEY`. A part given both ways is refused rather than one picked.
fn configured_org(config: &Config, secrets: &Secrets) -> anyhow::Result<Option<SalesforceConfig>> {
    let secret = secrets.salesforce.as_ref();
    let part = |name: &str| match (secret, name) {
        (Some(secret), "client_secret") => secret.client_secret.as_ref(),
        (Some(secret), "private_key") => secret.private_key.as_ref(),
        _ => None,
    };
    if config.salesforce_secret_arn.is_some() && secret.is_none() {
        if !secrets.unset.contains(&SALESFORCE_SECRET_VAR) {
            bail!("{SALESFORCE_SECRET_VAR} is set but its secret was not read");
        }
        if config.salesforce.get("SALESFORCE_CLIENT_ID").is_some() {
            tracing::warn!(
                "the Salesforce secret has no value yet: the sync stays off until it is set"
            );
            return Ok(None);
        }
    }
    for (name, vars) in SECRET_PARTS {
        if part(name).is_some()
            && let Some(var) = vars.iter().find(|var| config.salesforce.get(var).is_some())
        {
            bail!(
                "{var} is set and EXPEDITE_SALESFORCE_SECRET_ARN's secret holds {name}: give it one way"
            );
        }
    }
    SalesforceConfig::from_vars(|name| {
        let from_secret = match name {
            "SALESFORCE_CLIENT_SECRET" => part("client_secret"),
            "SALESFORCE_PRIVATE_KEY" => part("private_key"),
            _ => None,
        };
        from_secret
            .map(|value| value.expose().to_owned())
            .or_else(|| config.salesforce.get(name))
    })
    .context("reading the SALESFORCE_* variables and the Salesforce secret")
}

/// The engine over the in-process sandbox, which lives as long as the engine does.
struct DemoSync {
    engine: SalesforceSync,
    _sandbox: Sandbox,
}

#[async_trait]
impl SyncEngine for DemoSync {
    async fn run(
        &self,
        id: &SyncId,
        step: u32,
        attempt: Attempt,
        continuations: &dyn Continuations,
    ) -> Result<(), JobError> {
        self.engine.run(id, step, attempt, continuations).await
    }
}

#[cfg(test)]
mod tests {
    use expedite_domain::{SyncId, SyncKind, SyncRun, SyncStatus};
    use expedite_sqlite::{Database, SqliteStore};

    use super::*;

    #[test]
    fn a_secret_part_also_given_by_a_variable_is_refused_without_printing_either() {
        let config = Config::from_vars([
            ("SALESFORCE_CLIENT_ID", "cid"),
            ("SALESFORCE_CLIENT_SECRET", "from-the-environment"),
            ("EXPEDITE_SALESFORCE_SECRET_ARN", "expedite/salesforce"),
        ])
        .unwrap();
        let secrets = Secrets {
            salesforce: Some(crate::secrets::SalesforceSecret {
                client_secret: Some(expedite_aws::SecretText::new("from-the-secret")),
                private_key: None,
            }),
            ..Secrets::default()
        };

        let error = configured_org(&config, &secrets).unwrap_err().to_string();

        assert!(error.contains("SALESFORCE_CLIENT_SECRET"), "{error}");
        assert!(!error.contains("from-the"), "{error}");
        let unread = configured_org(&config, &Secrets::default()).unwrap_err();
        assert!(unread.to_string().contains("not read"), "{unread}");
    }

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
        let run = SyncRun::queued(id.clone(), SyncKind::Scheduled, None, now);
        store.put_sync_run(&run).await.unwrap();
        let first = Attempt {
            receive_count: 1,
            max_receives: 5,
            deadline: None,
        };

        engine
            .run(&id, 0, first, &expedite_core::sync::NoContinuations)
            .await
            .unwrap();

        let run = store.get_sync_run(&id).await.unwrap().unwrap();
        assert_eq!(run.status, SyncStatus::Completed, "{:?}", run.issues);
        assert_eq!(
            run.pulled, DEMO_ACCOUNTS as u32,
            "every sample account, at once"
        );
    }
}
