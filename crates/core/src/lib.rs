//! Expedite's application core: configuration, the ports over external systems, the
//! use-cases that REST handlers, server functions and Lambda handlers all call, and the
//! job-processing step the worker runs.
//!
//! Adapters (SQLite, DynamoDB, SQS, OpenAI, Salesforce…) live in their own crates and are
//! handed in as `Arc<dyn Trait>`; this crate never names an SDK type.

pub mod config;
pub mod identity;
pub mod jobs;
pub mod queue;
mod services;
pub mod store;

pub use config::{
    ClientKey, Config, ConfigError, IdentityBackend, QueueBackend, RateLimits, RequestFilter,
    StoreBackend,
};
pub use services::{AccessError, Services};
