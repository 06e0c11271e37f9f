//! The sandbox over HTTP, as a Salesforce client sees it.

mod changes;
mod collections;
mod lightning;
mod limits;
mod oauth;
mod owners;
mod query;
mod support;
mod tls;
