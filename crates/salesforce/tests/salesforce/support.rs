//! A sandbox, an embedded store on a temporary directory and an engine over both, on one
//! controllable clock (the sandbox's).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use expedite_core::{
    jobs::{Attempt, JobError},
    store::{FieldChange, Store},
    sync::{Continuations, SyncEngine},
};
use expedite_domain::{Customer, CustomerId, SyncId, SyncKind, SyncRun, Timestamp};
use expedite_salesforce::{
    AuthFlow, SalesforceClient, SalesforceConfig, SalesforceSync, Secret, SyncSettings,
};
use expedite_salesforce_sandbox::{Account, Sandbox, SandboxConfig};
use expedite_sqlite::{Database, SqliteStore};
use tempfile::TempDir;

use crate::hooked::{Hook, HookedStore};

/// 2025-01-01T00:00:00Z: where every test starts the sandbox clock.
pub(crate) const T0: Timestamp = Timestamp::from_millis(1_735_689_600_000);
/// More than the settle interval: everything stamped before an advance becomes readable.
pub(crate) const PAST_SETTLE: Duration = Duration::from_secs(3 * 60);

pub(crate) const FIRST: Attempt = Attempt {
    receive_count: 1,
    max_receives: 3,
    deadline: None,
};
pub(crate) const LAST: Attempt = Attempt {
    receive_count: 3,
    max_receives: 3,
    deadline: None,
};

/// Continuation messages kept in a list, as the queue would keep them: each entry is a step.
#[derive(Debug, Default)]
pub(crate) struct Queued(pub(crate) Mutex<Vec<u32>>);

#[async_trait]
impl Continuations for Queued {
    async fn queue_continuation(&self, _: &SyncId, step: u32) -> Result<(), JobError> {
        self.0.lock().unwrap().push(step);
        Ok(())
    }
}

impl Queued {
    pub(crate) fn steps(&self) -> Vec<u32> {
        self.0.lock().unwrap().clone()
    }
}

pub(crate) struct TestEnv {
    pub(crate) sandbox: Sandbox,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) client: SalesforceClient,
    pub(crate) settings: SyncSettings,
    _dir: TempDir,
}

/// A client for the sandbox with the client credentials flow and quick retries.
pub(crate) fn client_config(sandbox: &Sandbox) -> SalesforceConfig {
    let config = sandbox.config();
    let mut client = SalesforceConfig::new(AuthFlow::ClientCredentials {
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
    });
    client.login_url = sandbox.base_url();
    client.retry_backoff = Duration::from_millis(10);
    client.request_timeout = Duration::from_secs(20);
    client.extra_root_certificate_pem = sandbox.tls_certificate_pem();
    client
}

impl TestEnv {
    pub(crate) async fn start() -> Self {
        Self::with_sandbox(SandboxConfig::default()).await
    }

    pub(crate) async fn with_sandbox(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox");
        sandbox.set_now(T0);
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(dir.path()).await.expect("database");
        let client = SalesforceClient::new(client_config(&sandbox)).expect("client");
        Self {
            sandbox,
            store: Arc::new(SqliteStore::new(db)),
            client,
            settings: SyncSettings {
                batch_size: 200,
                ..SyncSettings::default()
            },
            _dir: dir,
        }
    }

    /// An engine over the store, reading the sandbox clock.
    pub(crate) fn engine(&self) -> SalesforceSync {
        self.engine_over(Arc::clone(&self.store))
    }

    /// An engine whose store runs `hook` after every page it writes.
    pub(crate) fn hooked_engine(&self, hook: Hook) -> SalesforceSync {
        self.engine_over(Arc::new(HookedStore::new(Arc::clone(&self.store), hook)))
    }

    fn engine_over(&self, store: Arc<dyn Store>) -> SalesforceSync {
        SalesforceSync::new(
            self.client.clone(),
            store,
            self.settings.clone(),
            Arc::new(self.sandbox.clone()),
        )
    }

    /// Stores a QUEUED run of `kind`, as the use-cases do before enqueueing it.
    pub(crate) async fn queue_run(&self, kind: SyncKind) -> SyncId {
        let id = SyncId::parse(uuid::Uuid::now_v7().to_string()).expect("uuid");
        let now = self.sandbox.now();
        let run = SyncRun::queued(id.clone(), kind, None, now);
        self.store.put_sync_run(&run).await.expect("put run");
        id
    }

    /// Queues a run of `kind`, runs it once with `engine` and returns the stored result.
    pub(crate) async fn run_with(
        &self,
        engine: &SalesforceSync,
        kind: SyncKind,
        attempt: Attempt,
    ) -> (SyncRun, Result<(), JobError>) {
        let id = self.queue_run(kind).await;
        let result = engine.run(&id, 0, attempt, &Queued::default()).await;
        (self.stored_run(&id).await, result)
    }

    /// A synced org of `n` accounts, each with a pending local edit `change`, made a second
    /// after the sync and a second before whatever the test runs next.
    pub(crate) async fn synced_with_edits(n: usize, seed: u64, change: FieldChange) -> Self {
        let env = Self::start().await;
        env.sandbox.seed_accounts(n, seed);
        env.sandbox.advance(PAST_SETTLE);
        env.sync(SyncKind::Scheduled).await;
        env.sandbox.advance(Duration::from_secs(1));
        for account in env.sandbox.accounts() {
            let id = CustomerId::parse(&account.id).expect("id");
            env.store
                .record_local_edit(&id, vec![change.clone()], env.sandbox.now())
                .await
                .expect("edit");
        }
        env.sandbox.advance(Duration::from_secs(1));
        env
    }

    /// Runs a sync of `kind` to its end on the first delivery and returns the stored run.
    pub(crate) async fn sync(&self, kind: SyncKind) -> SyncRun {
        let (run, result) = self.run_with(&self.engine(), kind, FIRST).await;
        result.expect("the run succeeds");
        run
    }

    pub(crate) async fn stored_run(&self, id: &SyncId) -> SyncRun {
        self.store
            .get_sync_run(id)
            .await
            .expect("get run")
            .expect("run exists")
    }

    pub(crate) async fn watermark(&self) -> Option<Timestamp> {
        self.store.watermark("Account").await.expect("watermark")
    }

    pub(crate) async fn local(&self, id: &str) -> Option<Customer> {
        let id = CustomerId::parse(id).expect("id");
        self.store.get_customer(&id).await.expect("get customer")
    }

    /// The local copy holds exactly the sandbox's accounts, deleted ones marked deleted.
    pub(crate) async fn assert_mirrors_sandbox(&self) {
        let accounts = self.sandbox.accounts();
        for account in &accounts {
            let local = self.local(&account.id).await;
            let local = local.unwrap_or_else(|| panic!("{} was never pulled", account.id));
            assert_eq!(mirror_of(account), comparable(local), "{}", account.id);
        }
        let live = accounts.iter().filter(|a| !a.is_deleted).count();
        assert_eq!(
            self.local_live_count().await,
            live,
            "no extra live customers"
        );
    }

    pub(crate) async fn local_live_count(&self) -> usize {
        let mut count = 0;
        let mut cursor = None;
        loop {
            let page = self
                .store
                .list_customers(
                    &Default::default(),
                    &expedite_domain::PageRequest {
                        cursor,
                        limit: expedite_domain::Limit::parse(Some(100)).expect("limit"),
                    },
                )
                .await
                .expect("list");
            count += page.items.len();
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return count,
            }
        }
    }
}

/// The customer an account should become (sync bookkeeping zeroed).
pub(crate) fn mirror_of(account: &Account) -> Customer {
    Customer {
        id: CustomerId::parse(&account.id).expect("id"),
        name: account.name.clone(),
        account_type: account.account_type.clone(),
        industry: account.industry.clone(),
        annual_revenue: account.annual_revenue,
        billing_city: account.billing_city.clone(),
        billing_country: account.billing_country.clone(),
        phone: account.phone.clone(),
        website: account.website.clone(),
        owner_id: Some(account.owner_id.clone()).filter(|id| !id.is_empty()),
        owner_name: account.owner_name().map(str::to_owned),
        system_modstamp: account.system_modstamp,
        is_deleted: account.is_deleted,
        synced_at: Timestamp::default(),
    }
}

fn comparable(mut customer: Customer) -> Customer {
    customer.synced_at = Timestamp::default();
    customer
}
