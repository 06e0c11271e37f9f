//! Expedite's application core: configuration, the ports over external systems, the
//! use-cases that REST handlers, server functions and Lambda handlers all call, and the
//! job-processing step the worker runs.
//!
//! Adapters (SQLite, DynamoDB, SQS, OpenAI, Salesforce…) live in their own crates and are
//! handed in as `Arc<dyn Trait>`; this crate never names an SDK type.

pub mod ai;
pub mod clock;
pub mod config;
mod customers;
pub mod identity;
mod insights;
pub mod intake;
pub mod jobs;
pub mod metrics;
pub mod ops;
mod queries;
pub mod queue;
pub mod refusal;
mod services;
pub mod store;
mod sweep;
pub mod sync;
mod sync_runs;
pub mod tls;

pub use config::{
    ClientKey, Config, ConfigError, IdentityBackend, QueueBackend, RateLimits, RequestFilter,
    SalesforceVars, StoreBackend,
};
pub use customers::CustomerError;
pub use queries::QueryError;
pub use refusal::Refusal;
pub use services::{AccessError, Ports, Services};
pub use sweep::Swept;
pub use sync_runs::SyncError;
