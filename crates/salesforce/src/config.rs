//! How to reach a Salesforce org: login host, API version, OAuth flow and timeouts.
//!
//! Built once at start-up by [`SalesforceConfig::from_vars`] from the `SALESFORCE_*` variables;
//! tests build the struct directly. Secrets are wrapped in [`Secret`] so they never print.

use std::{fmt, time::Duration};

use expedite_core::config::CaBundle;

/// A value that must not appear in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The OAuth flow that obtains an access token. None of them returns a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFlow {
    /// `grant_type=client_credentials` (the connected app's run-as user).
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
    },
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an RS256 assertion signed
    /// by the connected app's certificate key.
    JwtBearer {
        client_id: String,
        username: String,
        private_key_pem: Secret,
    },
    /// `grant_type=password` (legacy; the password includes the security token if the org
    /// requires one).
    Password {
        client_id: String,
        client_secret: Secret,
        username: String,
        password: Secret,
    },
}

/// Everything the client needs to talk to one org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesforceConfig {
    /// Where OAuth tokens come from, e.g. `https://login.salesforce.com` (no trailing slash).
    pub login_url: String,
    /// REST API version without the `v`, e.g. `60.0`.
    pub api_version: String,
    pub auth: AuthFlow,
    /// Upper bound on establishing a connection.
    pub connect_timeout: Duration,
    /// Upper bound on one whole request, response body included.
    pub request_timeout: Duration,
    /// Tries per call for 5xx responses, timeouts and connection failures (at least 1).
    pub max_tries: u32,
    /// First back-off between tries; doubled per try.
    pub retry_backoff: Duration,
    /// Extra trusted root certificates (a PEM bundle of one or more), added to the compiled-in
    /// roots: `EXPEDITE_CA_FILE` (a TLS-inspecting proxy, a private CA) or a local sandbox's CA.
    pub extra_root_certificate_pem: Option<String>,
}

impl SalesforceConfig {
    pub const DEFAULT_LOGIN_URL: &'static str = "https://login.salesforce.com";
    pub const DEFAULT_API_VERSION: &'static str = "60.0";

    /// A configuration with the default login host, API version, timeouts and retries.
    pub fn new(auth: AuthFlow) -> Self {
        Self {
            login_url: Self::DEFAULT_LOGIN_URL.to_owned(),
            api_version: Self::DEFAULT_API_VERSION.to_owned(),
            auth,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(60),
            max_tries: 3,
            retry_backoff: Duration::from_millis(500),
            extra_root_certificate_pem: None,
        }
    }

    /// Trusts the certificate authorities of `bundle` (`EXPEDITE_CA_FILE`) as well, besides
    /// the compiled-in roots and any extra roots already set.
    pub fn trust(&mut self, bundle: &CaBundle) {
        let mut pem = self.extra_root_certificate_pem.take().unwrap_or_default();
        if !pem.is_empty() && !pem.ends_with('\n') {
            pem.push('\n');
        }
        pem.push_str(bundle.pem());
        self.extra_root_certificate_pem = Some(pem);
    }

    /// Reads the `SALESFORCE_*` variables through `var`. `Ok(None)` when none is set
    /// (Salesforce is not configured); an error naming what is missing when only some are.
    ///
    /// The flow follows from what is present: a private key → JWT bearer (with
    /// `SALESFORCE_USERNAME`), `SALESFORCE_PASSWORD` → username-password (with
    /// `SALESFORCE_USERNAME` and `SALESFORCE_CLIENT_SECRET`), otherwise client credentials
    /// (`SALESFORCE_CLIENT_SECRET`). `SALESFORCE_CLIENT_ID` is always required. The key is
    /// `SALESFORCE_PRIVATE_KEY_FILE` (read here, so a bad path fails at start-up) or
    /// `SALESFORCE_PRIVATE_KEY`, the PEM itself (what a secret read at start-up provides).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, SalesforceConfigError> {
        let get = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        if VARS.iter().all(|name| get(name).is_none()) {
            return Ok(None);
        }
        let required = |name: &'static str, flow: &'static str| {
            get(name).ok_or(SalesforceConfigError::Missing { name, flow })
        };
        let client_id = required("SALESFORCE_CLIENT_ID", "every flow")?;
        let username = get("SALESFORCE_USERNAME");
        let auth = if let Some(pem) = private_key(&get)? {
            AuthFlow::JwtBearer {
                client_id,
                username: required("SALESFORCE_USERNAME", "the JWT bearer flow")?,
                private_key_pem: Secret::new(pem),
            }
        } else if let Some(password) = get("SALESFORCE_PASSWORD") {
            AuthFlow::Password {
                client_id,
                client_secret: Secret::new(required(
                    "SALESFORCE_CLIENT_SECRET",
                    "the username-password flow",
                )?),
                username: required("SALESFORCE_USERNAME", "the username-password flow")?,
                password: Secret::new(password),
            }
        } else if username.is_some() {
            return Err(SalesforceConfigError::Ambiguous(
                "SALESFORCE_USERNAME is set without SALESFORCE_PASSWORD or a private key \
                 (SALESFORCE_PRIVATE_KEY_FILE or SALESFORCE_PRIVATE_KEY)",
            ));
        } else {
            AuthFlow::ClientCredentials {
                client_id,
                client_secret: Secret::new(required(
                    "SALESFORCE_CLIENT_SECRET",
                    "the client credentials flow",
                )?),
            }
        };
        let mut config = Self::new(auth);
        if let Some(url) = get("SALESFORCE_LOGIN_URL") {
            let url = url.trim().trim_end_matches('/').to_owned();
            if reqwest::Url::parse(&url).is_err()
                || !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Err(SalesforceConfigError::Invalid {
                    name: "SALESFORCE_LOGIN_URL",
                    value: url,
                    problem: "must be an http(s) URL",
                });
            }
            config.login_url = url;
        }
        if let Some(version) = get("SALESFORCE_API_VERSION") {
            let version = version.trim().trim_start_matches('v').to_owned();
            if !is_api_version(&version) {
                return Err(SalesforceConfigError::Invalid {
                    name: "SALESFORCE_API_VERSION",
                    value: version,
                    problem: "must look like 60.0",
                });
            }
            config.api_version = version;
        }
        Ok(Some(config))
    }
}

/// The JWT bearer flow's key: a file's contents or the PEM itself, never both.
fn private_key(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, SalesforceConfigError> {
    let pem = match (
        get("SALESFORCE_PRIVATE_KEY_FILE"),
        get("SALESFORCE_PRIVATE_KEY"),
    ) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(SalesforceConfigError::Ambiguous(
                "SALESFORCE_PRIVATE_KEY_FILE and SALESFORCE_PRIVATE_KEY are both set",
            ));
        }
        (Some(path), None) => {
            let pem =
                std::fs::read_to_string(&path).map_err(|error| SalesforceConfigError::KeyFile {
                    path: path.clone(),
                    problem: error.to_string(),
                })?;
            if !pem.contains("PRIVATE KEY-----") {
                return Err(SalesforceConfigError::KeyFile {
                    path,
                    problem: "not a PEM private key".into(),
                });
            }
            pem
        }
        // The value is a secret: the error names the variable, never what it holds.
        (None, Some(pem)) if !pem.contains("PRIVATE KEY-----") => {
            return Err(SalesforceConfigError::NotAKey("SALESFORCE_PRIVATE_KEY"));
        }
        (None, Some(pem)) => pem,
    };
    Ok(Some(pem))
}

/// Every variable [`SalesforceConfig::from_vars`] reads.
pub const VARS: [&str; 8] = [
    "SALESFORCE_LOGIN_URL",
    "SALESFORCE_CLIENT_ID",
    "SALESFORCE_CLIENT_SECRET",
    "SALESFORCE_USERNAME",
    "SALESFORCE_PASSWORD",
    "SALESFORCE_PRIVATE_KEY_FILE",
    "SALESFORCE_PRIVATE_KEY",
    "SALESFORCE_API_VERSION",
];

fn is_api_version(text: &str) -> bool {
    match text.split_once('.') {
        Some((major, minor)) => {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Salesforce variables that are present but cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SalesforceConfigError {
    #[error("Salesforce is partly configured: {name} is required by {flow}")]
    Missing {
        name: &'static str,
        flow: &'static str,
    },
    #[error("Salesforce is partly configured: {0}")]
    Ambiguous(&'static str),
    #[error("{name}: {problem} (got {value:?})")]
    Invalid {
        name: &'static str,
        value: String,
        problem: &'static str,
    },
    #[error("SALESFORCE_PRIVATE_KEY_FILE {path}: {problem}")]
    KeyFile { path: String, problem: String },
    #[error("{0}: not a PEM private key")]
    NotAKey(&'static str),
}

#[cfg(test)]
mod tests;
