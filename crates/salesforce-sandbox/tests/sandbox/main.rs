//! The sandbox over HTTP, as a Salesforce client sees it.

mod changes;
mod collections;
mod limits;
mod oauth;
mod query;
mod support;
mod tls;
