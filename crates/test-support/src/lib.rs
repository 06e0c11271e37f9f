//! Local doubles of the external systems Expedite talks to, for tests.

pub mod lambda_runtime_api;
