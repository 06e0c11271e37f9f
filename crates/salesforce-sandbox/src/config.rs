//! What a sandbox is started with.

use std::fmt;
use std::time::Duration;

/// Credentials, limits and transport of a sandbox. `Default` gives a working plain-HTTP sandbox.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The connected app's consumer key (`client_id`, and `iss` of JWT assertions).
    pub client_id: String,
    /// The connected app's consumer secret.
    pub client_secret: String,
    /// The integration user's username (`sub` of JWT assertions).
    pub username: String,
    /// The integration user's password (password grant and SOAP login).
    pub password: String,
    /// PEM public key (SPKI or PKCS#1) JWT bearer assertions must be signed with; without it
    /// the JWT bearer flow answers `invalid_grant`.
    pub jwt_public_key_pem: Option<String>,
    /// How long an access token stays valid, on the sandbox clock.
    pub session_ttl: Duration,
    /// How long a query cursor stays open without being read, on the sandbox clock.
    pub cursor_ttl: Duration,
    /// The `M` of `Sforce-Limit-Info: api-usage=N/M`.
    pub daily_api_limit: u32,
    /// Serve HTTPS with a certificate generated at start (see `Sandbox::tls_certificate_pem`).
    pub tls: bool,
    /// The newest API version served, without the `v` (`"60.0"`).
    pub api_version: String,
    /// The port to listen on, on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            client_id: "3MVG9sandbox.consumer.key".to_owned(),
            client_secret: "sandbox-consumer-secret".to_owned(),
            username: "integration@expedite.sandbox".to_owned(),
            password: "sandbox-password".to_owned(),
            jwt_public_key_pem: None,
            session_ttl: Duration::from_secs(2 * 60 * 60),
            cursor_ttl: Duration::from_secs(15 * 60),
            daily_api_limit: 15_000,
            tls: false,
            api_version: "60.0".to_owned(),
            port: 0,
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("jwt_public_key_pem", &self.jwt_public_key_pem.is_some())
            .field("session_ttl", &self.session_ttl)
            .field("cursor_ttl", &self.cursor_ttl)
            .field("daily_api_limit", &self.daily_api_limit)
            .field("tls", &self.tls)
            .field("api_version", &self.api_version)
            .field("port", &self.port)
            .finish()
    }
}
