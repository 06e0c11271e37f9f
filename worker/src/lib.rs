//! Expedite's job runner on AWS Lambda: SQS batches (with partial batch failures) and
//! EventBridge scheduled events, each through the one step
//! [`expedite_core::jobs::process_one`]. The local job loop and the wiring of a process live in
//! `expedite-runtime`, shared with the server.

pub mod lambda;
