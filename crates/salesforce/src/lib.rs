//! Expedite's Salesforce adapter.
//!
//! - [`SalesforceClient`]: the REST client. OAuth (client credentials, JWT bearer, username-
//!   password) with a cached token that is re-requested once on `INVALID_SESSION_ID`; SOQL
//!   `query`/`queryAll` with `nextRecordsUrl` paging; sObject Collections updates by Id and
//!   upserts by external id; typed errors ([`SalesforceError`]; a certificate the client does
//!   not trust is permanent and names the host); API usage from `Sforce-Limit-Info`; extra
//!   trusted roots (`EXPEDITE_CA_FILE`); a timeout on every call and bounded retries with
//!   exponential back-off for 5xx answers, timeouts and lost connections.
//! - [`SalesforceSync`]: the sync engine behind the core `SyncEngine` port (see [`engine`]).
//! - [`SalesforceConfig`]: how to reach the org, read from `SALESFORCE_*` variables.
//!
//! Wire formats and the rules of the incremental sync are in `design/SALESFORCE.md`.

mod account;
mod auth;
mod client;
mod collections;
mod config;
pub mod engine;
mod error;
mod limits;
mod query;

pub use account::{
    ACCOUNT_FIELDS, AccountRow, InvalidAccount, RelatedName, edit_record, soql_datetime,
    window_soql,
};
pub use client::SalesforceClient;
pub use collections::{COLLECTION_CHUNK, RecordError, RecordResult};
pub use config::{AuthFlow, SalesforceConfig, SalesforceConfigError, Secret, VARS};
pub use engine::{Clock, SYNC_LEASE, SYNC_OBJECT, SalesforceSync, SyncSettings};
pub use error::SalesforceError;
pub use limits::ApiUsage;
pub use query::{QueryCursor, QueryPage};
