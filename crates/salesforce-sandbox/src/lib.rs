//! A local Salesforce REST API sandbox serving Accounts on 127.0.0.1.
//!
//! It speaks the wire format real clients expect (see `SALESFORCE.md`): OAuth token and SOAP
//! login, SOQL `query`/`queryAll` with server-side cursors, sObject rows and Collections, the
//! `updated`/`deleted` replication feeds, `Sforce-Limit-Info` and Salesforce's error arrays.
//! Tests, the sync benchmark and the server's demo mode start one with [`Sandbox::start`] and
//! steer it through the handle: seed data, move the clock, expire sessions, exhaust the API
//! limit or inject failures.

mod account;
mod changes;
mod collections;
mod config;
mod errors;
mod eval;
mod lightning;
mod meta;
mod oauth;
mod query;
mod records;
mod render;
mod seed;
mod server;
mod soap;
mod sobject;
mod soql;
mod state;
mod store;
mod tls;
mod users;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use axum::http::StatusCode;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use account::{Account, NewAccount};
pub use config::SandboxConfig;
pub use expedite_domain::Timestamp;
pub use users::{user_name, users};

use crate::state::{Shared, lock};
use crate::store::SANDBOX_USER_ID;

/// A running sandbox. Clones share it; the server stops when the last clone is dropped.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
    tls_ca_pem: Option<String>,
    _server: Arc<ServerGuard>,
}

/// The sandbox's time is the clock of the engines that sync it in tests and demo mode, so
/// that sync windows and record stamps agree when the tests move it.
impl expedite_core::clock::Clock for Sandbox {
    fn now(&self) -> Timestamp {
        Sandbox::now(self)
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

/// Tells the server to shut down gracefully when dropped.
struct ServerGuard(Option<oneshot::Sender<()>>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _already_stopped = stop.send(());
        }
    }
}

impl Sandbox {
    /// Binds 127.0.0.1 (port from the config, 0 for any), generates the TLS certificates if
    /// asked, and serves in a background task of the current Tokio runtime.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .context("binding the Salesforce sandbox")?;
        let port = listener
            .local_addr()
            .context("reading the sandbox address")?
            .port();
        let tls = if config.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let shared = Arc::new(Shared::new(config, format!("{scheme}://127.0.0.1:{port}")));
        let app = server::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let tls_ca_pem = match tls {
            Some(tls) => {
                let listener =
                    tls::TlsListener::new(listener, tls.acceptor).context("starting TLS")?;
                tokio::spawn(async move {
                    if let Err(error) = axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown)
                        .await
                    {
                        tracing::error!(%error, "the Salesforce sandbox stopped");
                    }
                });
                Some(tls.ca_pem)
            }
            None => {
                tokio::spawn(async move {
                    if let Err(error) = axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown)
                        .await
                    {
                        tracing::error!(%error, "the Salesforce sandbox stopped");
                    }
                });
                None
            }
        };
        tracing::info!(base_url = %shared.base_url, "Salesforce sandbox listening");
        Ok(Self {
            shared,
            tls_ca_pem,
            _server: Arc::new(ServerGuard(Some(stop))),
        })
    }

    /// `http://127.0.0.1:<port>` or `https://…`: the login host and the OAuth `instance_url`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The configuration the sandbox was started with.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// The certificate authority (PEM) that signed the HTTPS certificate; clients trust it.
    pub fn tls_certificate_pem(&self) -> Option<String> {
        self.tls_ca_pem.clone()
    }

    /// Adds `n` generated accounts, deterministic for `seed` (ids depend on what exists
    /// already; stamps are relative to the sandbox clock's now).
    pub fn seed_accounts(&self, n: usize, seed: u64) {
        let now = self.shared.clock.record_stamp();
        seed::seed(&mut self.shared.store_mut(), n, seed, now);
    }

    /// Like [`Sandbox::seed_accounts`], but every account is stamped before `before` (within
    /// the two weeks before it). Demo mode seeds with this so that a first sync, whose window
    /// ends a settle interval before now, sees every seeded account.
    pub fn seed_accounts_before(&self, n: usize, seed: u64, before: Timestamp) {
        seed::seed(
            &mut self.shared.store_mut(),
            n,
            seed,
            seed::anchor_before(before),
        );
    }

    /// Every account, deleted ones included, in id order.
    pub fn accounts(&self) -> Vec<Account> {
        self.shared
            .store()
            .accounts()
            .map(|a| Account::clone(a))
            .collect()
    }

    /// One account by its 18-character id, deleted or not.
    pub fn account(&self, id: &str) -> Option<Account> {
        self.shared.store().get(id).map(|a| Account::clone(a))
    }

    /// Creates an account as if a user had, stamped with the sandbox clock's now.
    pub fn insert_account(&self, new: NewAccount) -> Account {
        let now = self.shared.clock.record_stamp();
        let mut store = self.shared.store_mut();
        let account = Account {
            id: store.next_id(),
            name: new.name,
            account_type: new.account_type,
            industry: new.industry,
            annual_revenue: new.annual_revenue,
            billing_city: new.billing_city,
            billing_country: new.billing_country,
            phone: new.phone,
            website: new.website,
            owner_id: new.owner_id.unwrap_or_else(|| SANDBOX_USER_ID.to_owned()),
            external_id: new.external_id,
            created_date: now,
            last_modified_date: now,
            system_modstamp: now,
            is_deleted: false,
        };
        store.put(account.clone());
        account
    }

    /// Changes a live account as a user edit would: `change` edits the fields, then
    /// LastModifiedDate and SystemModstamp move to now. Id, CreatedDate and IsDeleted keep
    /// their values. `None` if there is no live account `id`.
    pub fn update_account(&self, id: &str, change: impl FnOnce(&mut Account)) -> Option<Account> {
        let now = self.shared.clock.record_stamp();
        let mut store = self.shared.store_mut();
        let current = store.get(id).filter(|a| !a.is_deleted)?;
        let mut account = Account::clone(current);
        change(&mut account);
        account.id = current.id.clone();
        account.created_date = current.created_date;
        account.is_deleted = false;
        account.last_modified_date = now;
        account.system_modstamp = now;
        store.put(account.clone());
        Some(account)
    }

    /// Moves a live account to the recycle bin (IsDeleted, bumped SystemModstamp, listed by
    /// `deleted/`). `false` if there is no live account `id`.
    pub fn delete_account(&self, id: &str) -> bool {
        let now = self.shared.clock.record_stamp();
        self.shared.store_mut().set_deleted(id, true, now).is_some()
    }

    /// Restores a deleted account. `false` if there is no deleted account `id`.
    pub fn undelete_account(&self, id: &str) -> bool {
        let now = self.shared.clock.record_stamp();
        self.shared
            .store_mut()
            .set_deleted(id, false, now)
            .is_some()
    }

    /// Makes every API write to the record with this Id or `External_Id__c` fail with
    /// `status_code` (e.g. `FIELD_CUSTOM_VALIDATION_EXCEPTION`), like a validation rule.
    pub fn reject_writes_to(&self, key: &str, status_code: &str, message: &str) {
        self.shared.store_mut().reject_writes_to(
            key.to_owned(),
            status_code.to_owned(),
            message.to_owned(),
        );
    }

    /// The sandbox clock: the wall clock unless set or advanced.
    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// Freezes the sandbox clock at `at`; from then on it moves only by [`Sandbox::advance`].
    /// Record stamps, session and cursor expiry follow it; JWT `exp` is checked on the wall clock.
    pub fn set_now(&self, at: Timestamp) {
        self.shared.clock.set_now(at);
    }

    /// Moves the sandbox clock forward.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Opens a session without a token request, for clients given a session id directly.
    pub fn issue_session(&self) -> String {
        oauth::open_session(&self.shared)
    }

    /// Ends every session: the next API call with any existing token gets 401 `INVALID_SESSION_ID`.
    pub fn expire_sessions(&self) {
        lock(&self.shared.sessions).clear();
    }

    /// Sets the API calls used today and the daily limit; calls at the limit get 403.
    pub fn set_api_usage(&self, used: u32, limit: u32) {
        self.shared.api_used.store(used, Ordering::Relaxed);
        self.shared.api_limit.store(limit, Ordering::Relaxed);
    }

    /// `(used, limit)`, as `Sforce-Limit-Info` reports them.
    pub fn api_usage(&self) -> (u32, u32) {
        (
            self.shared.api_used.load(Ordering::Relaxed),
            self.shared.api_limit.load(Ordering::Relaxed),
        )
    }

    /// Answers the next `n` requests (any path) with `status` and a Salesforce error array.
    pub fn fail_next(&self, n: u32, status: u16) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        *lock(&self.shared.failures) = (n, status);
    }

    /// Answers the next `n` requests whose path ends with `path_suffix` (say
    /// `/composite/sobjects`, or `/query` but not `/queryAll`) with `status` and a Salesforce
    /// error array of `error_code`; other requests are served as usual.
    pub fn fail_next_at(&self, path_suffix: &str, n: u32, status: u16, error_code: &str) {
        lock(&self.shared.path_failures).push(state::PathFailure {
            path_suffix: path_suffix.to_owned(),
            remaining: n,
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code: error_code.to_owned(),
        });
    }

    /// Every HTTP request received so far, failed ones included.
    pub fn requests_received(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }
}
