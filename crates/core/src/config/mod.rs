//! Typed configuration, read once at start-up from the environment (and a `.env` file).
//!
//! Everything else receives a [`Config`]; nothing below the binaries reads variables. Tests
//! build the struct with [`Config::from_vars`] instead of touching the process environment.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};

use expedite_domain::Deployment;

use crate::ai::AiSettings;

mod ca;
mod vars;

pub use ca::CaBundle;
pub(crate) use vars::Vars;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for CloudWatch Logs and log shippers.
    Json,
}

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreBackend {
    /// The embedded SQLite file in the data directory (`EXPEDITE_STORE=sqlite`, the default).
    Sqlite,
    /// DynamoDB tables (`EXPEDITE_STORE=dynamodb` and `EXPEDITE_DYNAMODB_*_TABLE`); people sign
    /// in with Cognito there (the built-in provider keeps its accounts in the embedded store).
    DynamoDb {
        queries_table: String,
        customers_table: String,
        sync_table: String,
    },
}

/// Where the job queue lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueBackend {
    /// The durable queue in the embedded SQLite file (`EXPEDITE_QUEUE=sqlite`, the default).
    Sqlite,
    /// SQS (`EXPEDITE_QUEUE=sqs`, `EXPEDITE_SQS_QUEUE_URL`, `EXPEDITE_SQS_DEAD_LETTER_QUEUE_URL`).
    Sqs {
        queue_url: String,
        dead_letter_url: String,
    },
}

/// Who issues the tokens the server accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityBackend {
    /// The built-in provider (`EXPEDITE_IDENTITY=local`, the default): users in the store,
    /// tokens signed with a key kept in the data directory, issuer = the public URL.
    Local,
    /// A Cognito user pool (`EXPEDITE_IDENTITY=cognito`).
    Cognito {
        /// `EXPEDITE_COGNITO_ISSUER`: `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
        issuer: String,
        /// `EXPEDITE_COGNITO_JWKS_URL`; defaults to `<issuer>/.well-known/jwks.json`.
        jwks_url: String,
    },
}

/// Which address identifies a client for rate limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKey {
    /// The TCP peer (`EXPEDITE_CLIENT_KEY=peer`, the default locally).
    Peer,
    /// The rightmost `X-Forwarded-For` hop, added by a proxy you run (`xff`). Never the
    /// leftmost: clients write that one themselves.
    ForwardedFor,
    /// API Gateway's request context source IP (`apigw`).
    ApiGateway,
    /// The `x-expedite-viewer-ip` header that the stack's CloudFront function sets to the
    /// viewer's address (`viewer`, the default on Lambda: behind CloudFront, API Gateway's
    /// source IP is the edge's). Trusted because the WAF refuses requests that bypassed
    /// CloudFront; API Gateway's source IP when the header is absent.
    Viewer,
}

/// Request rate limits (per client key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub enabled: bool,
    pub client_key: ClientKey,
    /// Requests per minute per client (`EXPEDITE_RATE_LIMIT_PER_MINUTE`, default 1000).
    pub per_minute: u32,
    /// Requests a client may send at once (`EXPEDITE_RATE_LIMIT_BURST`, default 100).
    pub burst: u32,
    /// Sign-in attempts per minute per client, and failed ones per account and client
    /// (`EXPEDITE_SIGN_IN_PER_MINUTE`, 10).
    pub sign_in_per_minute: u32,
    /// Failed sign-ins on one account from all clients within 15 minutes after which the
    /// account is slowed (`EXPEDITE_SIGN_IN_ACCOUNT_FAILURES`, default 20).
    pub sign_in_account_failures: u32,
    /// The longest wait a slowed account imposes between attempts
    /// (`EXPEDITE_SIGN_IN_MAX_DELAY_SECS`, default 60).
    pub sign_in_max_delay: Duration,
}

/// Bounds on the local listener's connections, against slow and half-open clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this time, counted from the connection's start
    /// or its previous response, or it is closed (`EXPEDITE_HEADER_READ_TIMEOUT_SECS`, 10).
    pub header_read_timeout: Duration,
    /// A request body still arriving this long after its headers gets 408
    /// (`EXPEDITE_BODY_READ_TIMEOUT_SECS`, default 20).
    pub body_read_timeout: Duration,
    /// Open connections at most; more are closed at once (`EXPEDITE_MAX_CONNECTIONS`, 768:
    /// below systemd's 1024 descriptors, leaving room for the database and outbound clients).
    pub max_connections: u32,
    /// Open connections per peer address (`EXPEDITE_MAX_CONNECTIONS_PER_CLIENT`, 64); only
    /// with `EXPEDITE_CLIENT_KEY=peer`, since behind a proxy every peer is the proxy.
    pub max_connections_per_client: u32,
}

/// The in-process request filter (the self-hosted stand-in for AWS WAF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFilter {
    /// `EXPEDITE_REQUEST_FILTER` (default on).
    pub enabled: bool,
    /// Larger request bodies get 413 (`EXPEDITE_MAX_BODY_BYTES`, default 1 MiB).
    pub max_body_bytes: usize,
    /// Clients refused outright (`EXPEDITE_BLOCKED_IPS`, comma-separated addresses).
    pub blocked_ips: Vec<std::net::IpAddr>,
}

/// The whole configuration of a server or worker process.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the process runs; Lambda when the Lambda Runtime API is present.
    pub deployment: Deployment,
    /// Address the local HTTP listener binds (`EXPEDITE_ADDR`, or cargo-leptos' `LEPTOS_SITE_ADDR`).
    pub bind_addr: SocketAddr,
    /// Directory for the embedded database and generated keys (`EXPEDITE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Directory holding the built site: `pkg/` with JS, wasm and CSS (`LEPTOS_SITE_ROOT`).
    pub site_root: PathBuf,
    /// Port of cargo-leptos' live-reload socket during `cargo leptos watch`.
    pub reload_port: u16,
    /// Whether the server also runs the worker loop in-process (`EXPEDITE_IN_PROCESS_WORKER`).
    pub in_process_worker: bool,
    /// Log line format (`EXPEDITE_LOG_FORMAT`: `pretty` or `json`; JSON by default on Lambda).
    pub log_format: LogFormat,
    /// Upper bound on the time one HTTP request may take (`EXPEDITE_REQUEST_TIMEOUT_SECS`).
    pub request_timeout: Duration,
    /// How long shutdown waits for in-flight work (`EXPEDITE_SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace: Duration,
    /// Interval of the scheduled Salesforce poll in the local deployment (`EXPEDITE_POLL_INTERVAL_SECS`).
    pub poll_interval: Duration,
    /// Work still QUEUED this long after it was due is queued again by the sweep, which runs at
    /// start-up and with every scheduled poll (`EXPEDITE_REQUEUE_AFTER_SECS`, default 600).
    pub requeue_after: Duration,
    /// On Lambda, how long before an invocation's deadline a job that can pause (a sync)
    /// stops starting new pages, saves its place and continues in a new message
    /// (`EXPEDITE_JOB_DEADLINE_MARGIN_SECS`, default 10).
    pub job_deadline_margin: Duration,
    /// The store backend.
    pub store: StoreBackend,
    /// The queue backend.
    pub queue: QueueBackend,
    /// The token issuer.
    pub identity: IdentityBackend,
    /// Rate limits at the edge.
    pub rate_limits: RateLimits,
    /// Connection limits of the local listener.
    pub connections: ConnectionLimits,
    /// The request filter.
    pub request_filter: RequestFilter,
    /// The app client id: `aud` of id tokens, `client_id` of access tokens (`EXPEDITE_CLIENT_ID`).
    pub client_id: String,
    /// Where users reach this deployment (`EXPEDITE_PUBLIC_URL`, default `http://<bind address>`);
    /// the built-in provider's issuer, and `https` makes session cookies `Secure`.
    pub public_url: String,
    /// Which model answers questions, and the worker's bounds.
    pub ai: AiSettings,
    /// The `SALESFORCE_*` variables, for the Salesforce adapter to read.
    pub salesforce: SalesforceVars,
    /// `EXPEDITE_SALESFORCE_SECRET_ARN`: a Secrets Manager secret holding JSON
    /// `{"client_secret": …, "private_key": …}` (each optional), read at start-up by the process
    /// that runs jobs in place of `SALESFORCE_CLIENT_SECRET` / a key file.
    pub salesforce_secret_arn: Option<String>,
    /// Without Salesforce configured, sync from a built-in sandbox org seeded with sample
    /// accounts (`EXPEDITE_DEMO_SALESFORCE`; on by default locally, never on Lambda).
    pub demo_salesforce: bool,
    /// Extra certificate authorities the Salesforce and OpenAI clients trust (`EXPEDITE_CA_FILE`,
    /// a PEM bundle), for a TLS-inspecting proxy or a private CA; read here, at start-up.
    pub ca_bundle: Option<CaBundle>,
}

/// The `SALESFORCE_*` variables as given; their values never appear in debug output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SalesforceVars(std::collections::BTreeMap<String, String>);

impl SalesforceVars {
    /// A variable's value, if set and not empty.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|value| !value.is_empty()).cloned()
    }
}

impl std::fmt::Debug for SalesforceVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// A variable that is present but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem} (got {value:?})")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub problem: &'static str,
}

impl Config {
    /// Reads `.env` (if present) and the process environment; the environment wins.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = dotenvy::dotenv_iter()
            .map(|iter| iter.filter_map(Result::ok).collect())
            .unwrap_or_default();
        vars.extend(std::env::vars());
        Self::from_vars(vars)
    }

    /// Builds the configuration from name/value pairs; unknown names are ignored.
    pub fn from_vars<I, K, V>(vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars = Vars(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        let deployment = if vars.get("AWS_LAMBDA_RUNTIME_API").is_some() {
            Deployment::Lambda
        } else {
            Deployment::Local
        };
        let default_log = match deployment {
            Deployment::Lambda => LogFormat::Json,
            Deployment::Local => LogFormat::Pretty,
        };
        let mut config = Self {
            deployment,
            bind_addr: match vars.get("EXPEDITE_ADDR") {
                Some(_) => vars.parse("EXPEDITE_ADDR", "an address such as 127.0.0.1:3000")?,
                None => vars
                    .parse_or("LEPTOS_SITE_ADDR", "an address such as 127.0.0.1:3000")?
                    .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 3000))),
            },
            // Lambda's file system is read-only but for /tmp.
            data_dir: vars.path_or(
                "EXPEDITE_DATA_DIR",
                if deployment == Deployment::Lambda {
                    "/tmp/expedite"
                } else {
                    "data"
                },
            ),
            site_root: vars.path_or("LEPTOS_SITE_ROOT", "target/site"),
            reload_port: vars
                .parse_or("LEPTOS_RELOAD_PORT", "a port number")?
                .unwrap_or(3001),
            in_process_worker: vars
                .bool_or("EXPEDITE_IN_PROCESS_WORKER")?
                .unwrap_or(deployment == Deployment::Local),
            log_format: match vars.get("EXPEDITE_LOG_FORMAT") {
                None => default_log,
                Some("pretty") => LogFormat::Pretty,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(ConfigError {
                        name: "EXPEDITE_LOG_FORMAT",
                        value: other.to_owned(),
                        problem: "expected `pretty` or `json`",
                    });
                }
            },
            request_timeout: vars.secs_or("EXPEDITE_REQUEST_TIMEOUT_SECS", 30)?,
            shutdown_grace: vars.secs_or("EXPEDITE_SHUTDOWN_GRACE_SECS", 10)?,
            poll_interval: vars.secs_or("EXPEDITE_POLL_INTERVAL_SECS", 3600)?,
            requeue_after: vars.secs_or("EXPEDITE_REQUEUE_AFTER_SECS", 600)?,
            job_deadline_margin: vars.secs_or("EXPEDITE_JOB_DEADLINE_MARGIN_SECS", 10)?,
            store: match vars.get("EXPEDITE_STORE").unwrap_or("sqlite") {
                "sqlite" => StoreBackend::Sqlite,
                "dynamodb" => StoreBackend::DynamoDb {
                    queries_table: vars.required("EXPEDITE_DYNAMODB_QUERIES_TABLE")?,
                    customers_table: vars.required("EXPEDITE_DYNAMODB_CUSTOMERS_TABLE")?,
                    sync_table: vars.required("EXPEDITE_DYNAMODB_SYNC_TABLE")?,
                },
                other => {
                    return Err(ConfigError {
                        name: "EXPEDITE_STORE",
                        value: other.to_owned(),
                        problem: "expected `sqlite` or `dynamodb`",
                    });
                }
            },
            identity: match vars.get("EXPEDITE_IDENTITY").unwrap_or("local") {
                "local" => IdentityBackend::Local,
                "cognito" => {
                    let issuer = vars.required("EXPEDITE_COGNITO_ISSUER")?;
                    let jwks_url = vars
                        .get("EXPEDITE_COGNITO_JWKS_URL")
                        .map_or_else(|| format!("{issuer}/.well-known/jwks.json"), str::to_owned);
                    IdentityBackend::Cognito { issuer, jwks_url }
                }
                other => {
                    return Err(ConfigError {
                        name: "EXPEDITE_IDENTITY",
                        value: other.to_owned(),
                        problem: "expected `local` or `cognito`",
                    });
                }
            },
            client_id: vars
                .get("EXPEDITE_CLIENT_ID")
                .unwrap_or("expedite-web")
                .to_owned(),
            request_filter: RequestFilter {
                enabled: vars.bool_or("EXPEDITE_REQUEST_FILTER")?.unwrap_or(true),
                max_body_bytes: vars.positive_or("EXPEDITE_MAX_BODY_BYTES", 1024 * 1024)? as usize,
                blocked_ips: vars.ip_list("EXPEDITE_BLOCKED_IPS")?,
            },
            rate_limits: RateLimits {
                enabled: vars.bool_or("EXPEDITE_RATE_LIMITS")?.unwrap_or(true),
                client_key: match vars.get("EXPEDITE_CLIENT_KEY") {
                    None if deployment == Deployment::Lambda => ClientKey::Viewer,
                    None | Some("peer") => ClientKey::Peer,
                    Some("xff") => ClientKey::ForwardedFor,
                    Some("apigw") => ClientKey::ApiGateway,
                    Some("viewer") => ClientKey::Viewer,
                    Some(other) => {
                        return Err(ConfigError {
                            name: "EXPEDITE_CLIENT_KEY",
                            value: other.to_owned(),
                            problem: "expected `peer`, `xff`, `apigw` or `viewer`",
                        });
                    }
                },
                per_minute: vars.positive_or("EXPEDITE_RATE_LIMIT_PER_MINUTE", 1000)?,
                burst: vars.positive_or("EXPEDITE_RATE_LIMIT_BURST", 100)?,
                sign_in_per_minute: vars.positive_or("EXPEDITE_SIGN_IN_PER_MINUTE", 10)?,
                sign_in_account_failures: vars
                    .positive_or("EXPEDITE_SIGN_IN_ACCOUNT_FAILURES", 20)?,
                sign_in_max_delay: positive_secs(&vars, "EXPEDITE_SIGN_IN_MAX_DELAY_SECS", 60)?,
            },
            connections: ConnectionLimits {
                header_read_timeout: positive_secs(&vars, "EXPEDITE_HEADER_READ_TIMEOUT_SECS", 10)?,
                body_read_timeout: positive_secs(&vars, "EXPEDITE_BODY_READ_TIMEOUT_SECS", 20)?,
                max_connections: vars.positive_or("EXPEDITE_MAX_CONNECTIONS", 768)?,
                max_connections_per_client: vars
                    .positive_or("EXPEDITE_MAX_CONNECTIONS_PER_CLIENT", 64)?,
            },
            public_url: String::new(),
            ai: AiSettings::from_vars(&vars)?,
            salesforce: SalesforceVars(
                vars.0
                    .iter()
                    .filter(|(name, _)| name.starts_with("SALESFORCE_"))
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect(),
            ),
            salesforce_secret_arn: vars
                .get("EXPEDITE_SALESFORCE_SECRET_ARN")
                .map(|arn| arn.trim().to_owned()),
            demo_salesforce: vars
                .bool_or("EXPEDITE_DEMO_SALESFORCE")?
                .unwrap_or(deployment == Deployment::Local),
            ca_bundle: match vars.get("EXPEDITE_CA_FILE") {
                Some(path) => Some(CaBundle::read(std::path::Path::new(path.trim()))?),
                None => None,
            },
            queue: match vars.get("EXPEDITE_QUEUE").unwrap_or("sqlite") {
                "sqlite" => QueueBackend::Sqlite,
                "sqs" => QueueBackend::Sqs {
                    queue_url: vars.required("EXPEDITE_SQS_QUEUE_URL")?,
                    dead_letter_url: vars.required("EXPEDITE_SQS_DEAD_LETTER_QUEUE_URL")?,
                },
                other => {
                    return Err(ConfigError {
                        name: "EXPEDITE_QUEUE",
                        value: other.to_owned(),
                        problem: "expected `sqlite` or `sqs`",
                    });
                }
            },
        };
        config.public_url = vars.get("EXPEDITE_PUBLIC_URL").map_or_else(
            || format!("http://{}", config.bind_addr),
            |url| url.trim_end_matches('/').to_owned(),
        );
        if config.identity == IdentityBackend::Local
            && matches!(config.store, StoreBackend::DynamoDb { .. })
        {
            return Err(ConfigError {
                name: "EXPEDITE_IDENTITY",
                value: "local".to_owned(),
                problem: "the built-in identity provider keeps its accounts in the embedded store; with EXPEDITE_STORE=dynamodb set EXPEDITE_IDENTITY=cognito",
            });
        }
        Ok(config)
    }

    /// Whether users reach this deployment over HTTPS (`EXPEDITE_PUBLIC_URL`, and always on
    /// Lambda, whose front doors speak only HTTPS): session cookies are then `Secure` and HSTS
    /// is sent.
    pub fn serves_tls(&self) -> bool {
        self.deployment == Deployment::Lambda || self.public_url.starts_with("https://")
    }

    /// The configuration tests start from: a local process on a free port in `data_dir`.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        let mut config =
            Self::from_vars([("EXPEDITE_ADDR", "127.0.0.1:0")]).expect("defaults are valid");
        config.data_dir = data_dir;
        config.in_process_worker = false;
        config.demo_salesforce = false;
        config
    }
}

/// A whole number of seconds above zero (a zero timeout would refuse every client).
fn positive_secs(vars: &Vars, name: &'static str, default: u32) -> Result<Duration, ConfigError> {
    Ok(Duration::from_secs(vars.positive_or(name, default)?.into()))
}

#[cfg(test)]
mod tests;
