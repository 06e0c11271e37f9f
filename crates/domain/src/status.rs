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

/// A snapshot of the system's configuration and health, safe to show any signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub version: String,
    pub deployment: Deployment,
    /// True when no external credentials are configured and built-in stand-ins are used.
    pub demo_mode: bool,
    /// Human-readable names of the backends in use, e.g. `("store", "SQLite")`.
    pub backends: Vec<(String, String)>,
    /// Seconds since the process started.
    pub uptime_secs: u64,
    /// How many times this process has answered a status request; shows that live calls work.
    pub checks: u64,
}
