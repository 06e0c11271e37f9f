//! The Salesforce client and sync engine against the local Salesforce sandbox, syncing into
//! the embedded store on a temporary directory.

mod client;
mod continuations;
mod hooked;
mod owners;
mod pull;
mod push;
mod refusals;
mod runs;
mod support;
mod tls;
