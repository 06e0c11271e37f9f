//! Test support: the conformance suites every backend of a port must pass, and local doubles
//! of the external systems Expedite talks to.

pub mod conformance;
pub mod lambda_runtime_api;
pub mod openai;
