//! What the dashboard shows about the running system.

use serde::{Deserialize, Serialize};

/// Where this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    /// One self-hosted process with embedded backends.
    Local,
    /// Inside AWS Lambda behind API Gateway.
    Lambda,
}

/// A snapshot of the system's configuration and health, for signed-in users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub version: String,
    pub deployment: Deployment,
    /// True when no AI provider is configured and the demo responder answers questions.
    pub demo_answers: bool,
    /// Human-readable names of the backends in use, e.g. `("store", "SQLite")`.
    pub backends: Vec<(String, String)>,
    /// Seconds since the process started.
    pub uptime_secs: u64,
    /// When this snapshot was taken (each refresh is a new one).
    pub checked_at: crate::Timestamp,
}
