//! Starting and stopping the whole stack.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    sync::Arc,
    time::Duration,
};

use anyhow::Context;
use expedite_aws::{TableNames, provision};
use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use expedite_test_support::{
    lambda_runtime_api::RuntimeApi,
    openai::{DEFAULT_ANSWER, OpenAiDouble, Script, Step},
};
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;

use crate::{
    gateway,
    logs::MetricLog,
    pump,
    routes::{self, Routes},
};

/// A Cognito user the stack creates (permanent password).
#[derive(Debug, Clone)]
pub struct StackUser {
    pub email: String,
    pub password: String,
    pub admin: bool,
}

/// How to start the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// moto's server, e.g. `http://127.0.0.1:5000`.
    pub moto_url: String,
    /// Where the `server`, `worker` and `authorizer` binaries are.
    pub bin_dir: PathBuf,
    /// A `server` binary to run instead of the one in `bin_dir` (the release build that
    /// cargo-leptos made with the site, whose pages hydrate with that site's bundle).
    pub server_bin: Option<PathBuf>,
    /// The built site (`pkg/` inside), served under `/pkg` as CloudFront serves the bucket.
    pub site_root: Option<PathBuf>,
    /// The front door's port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Accounts seeded into the Salesforce sandbox.
    pub accounts: usize,
    pub users: Vec<StackUser>,
    /// The worker function's timeout (the template's is 90 s).
    pub worker_timeout: Duration,
    /// `EXPEDITE_JOB_DEADLINE_MARGIN_SECS` for the worker.
    pub deadline_margin: Duration,
    /// The EventBridge schedule's rate (the template's is one hour).
    pub schedule_every: Duration,
    /// When set, each function logs its AWS calls to `<dir>/<LogicalId>.calls`.
    pub call_log_dir: Option<PathBuf>,
    /// Extra environment for the server function (e.g. sign-in limits for a test suite).
    pub server_env: Vec<(String, String)>,
    /// `RUST_LOG` for the functions.
    pub log: String,
}

impl StackOptions {
    /// The template's settings, against moto at `moto_url`, with binaries in `bin_dir`.
    pub fn new(moto_url: impl Into<String>, bin_dir: impl Into<PathBuf>) -> Self {
        Self {
            moto_url: moto_url.into(),
            bin_dir: bin_dir.into(),
            server_bin: None,
            site_root: None,
            port: 0,
            accounts: 200,
            users: Vec::new(),
            worker_timeout: Duration::from_secs(90),
            deadline_margin: Duration::from_secs(10),
            schedule_every: Duration::from_secs(3600),
            call_log_dir: None,
            server_env: Vec::new(),
            log: "warn".into(),
        }
    }
}

/// The running stack; everything stops when it is dropped.
pub struct Stack {
    addr: SocketAddr,
    pub sandbox: Sandbox,
    pub tables: TableNames,
    pub aws: aws_config::SdkConfig,
    _model: OpenAiDouble,
    worker: Arc<RuntimeApi>,
    worker_timeout: Duration,
    _functions: Vec<Child>,
    /// The EMF documents the functions wrote to stdout, as CloudWatch would read them.
    pub metrics: MetricLog,
    stop: CancellationToken,
    _data: tempfile::TempDir,
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

const TEMPLATE: &str = include_str!("../../../infra/template.yaml");

impl Stack {
    pub async fn start(options: StackOptions) -> anyhow::Result<Self> {
        let template: serde_yaml::Value =
            serde_yaml::from_str(TEMPLATE).context("reading the template")?;
        let aws = provision::emulator_config(&options.moto_url).await;
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let tables = provision::create_tables(&aws, TEMPLATE, &suffix).await?;
        let max_receives = template_default(&template, "MaxReceives")?.parse()?;
        let (queue_url, dead_letter_url) =
            provision::create_queues(&aws, &suffix, max_receives).await?;
        let sqs = aws_sdk_sqs::Client::new(&aws);
        let queue_arn = queue_attributes(&template, &sqs, &queue_url).await?;
        let (pool_id, client_id) = provision::create_user_pool(&aws).await?;
        for user in &options.users {
            let groups: &[&str] = if user.admin { &["admins"] } else { &[] };
            provision::add_user(
                &aws,
                &pool_id,
                &user.email,
                &user.password,
                provision::PasswordKind::Permanent,
                groups,
            )
            .await?;
        }
        let model = OpenAiDouble::start(model_script()).await;
        let sandbox = Sandbox::start(SandboxConfig::default()).await?;
        let before = sandbox.now().plus_millis(-10 * 60 * 1000);
        sandbox.seed_accounts_before(options.accounts, 42, before);
        let openai_secret =
            provision::create_secret(&aws, &format!("openai-{suffix}"), "sk-stack").await?;
        let salesforce_json =
            serde_json::json!({"client_secret": sandbox.config().client_secret}).to_string();
        let salesforce_secret =
            provision::create_secret(&aws, &format!("salesforce-{suffix}"), &salesforce_json)
                .await?;

        let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}");
        let jwks_url = format!("{}/{pool_id}/.well-known/jwks.json", options.moto_url);
        let identity = vec![
            ("EXPEDITE_IDENTITY", "cognito".to_owned()),
            ("EXPEDITE_COGNITO_ISSUER", issuer),
            ("EXPEDITE_COGNITO_JWKS_URL", jwks_url),
            ("EXPEDITE_CLIENT_ID", client_id),
        ];
        let backends = vec![
            ("EXPEDITE_STORE", "dynamodb".to_owned()),
            ("EXPEDITE_DYNAMODB_QUERIES_TABLE", tables.queries.clone()),
            (
                "EXPEDITE_DYNAMODB_CUSTOMERS_TABLE",
                tables.customers.clone(),
            ),
            ("EXPEDITE_DYNAMODB_SYNC_TABLE", tables.sync.clone()),
            ("EXPEDITE_QUEUE", "sqs".to_owned()),
            ("EXPEDITE_SQS_QUEUE_URL", queue_url.clone()),
            ("EXPEDITE_SQS_DEAD_LETTER_QUEUE_URL", dead_letter_url),
            ("AWS_ENDPOINT_URL", options.moto_url.clone()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("SALESFORCE_CLIENT_ID", sandbox.config().client_id.clone()),
            ("SALESFORCE_LOGIN_URL", sandbox.base_url()),
        ];
        let data = tempfile::tempdir()?;
        let metrics = MetricLog::default();
        let launcher = Launcher {
            options: &options,
            data: data.path(),
            metrics: &metrics,
        };

        let server_api = RuntimeApi::with_timeout(Duration::from_secs(28)).await?;
        let mut server_env: Vec<(String, String)> = [
            ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
            ("EXPEDITE_REQUEST_TIMEOUT_SECS", "25"),
            ("EXPEDITE_IN_PROCESS_WORKER", "false"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        server_env.extend(owned(&identity));
        server_env.extend(owned(&backends));
        server_env.extend(options.server_env.iter().cloned());
        let server = launcher.spawn("server", "ServerFunction", &server_api, server_env)?;

        let worker_api = Arc::new(RuntimeApi::with_timeout(options.worker_timeout).await?);
        let mut worker_env = owned(&identity);
        worker_env.extend(owned(&backends));
        worker_env.extend([
            ("EXPEDITE_AI_TIMEOUT_SECS".to_owned(), "80".to_owned()),
            ("EXPEDITE_JOB_VISIBILITY_SECS".to_owned(), "540".to_owned()),
            (
                "EXPEDITE_JOB_DEADLINE_MARGIN_SECS".to_owned(),
                options.deadline_margin.as_secs().to_string(),
            ),
            ("OPENAI_BASE_URL".to_owned(), model.base_url()),
            ("EXPEDITE_OPENAI_SECRET_ARN".to_owned(), openai_secret),
            (
                "EXPEDITE_SALESFORCE_SECRET_ARN".to_owned(),
                salesforce_secret,
            ),
        ]);
        let worker = launcher.spawn("worker", "WorkerFunction", &worker_api, worker_env)?;

        let authorizer_api = RuntimeApi::with_timeout(Duration::from_secs(5)).await?;
        let authorizer = launcher.spawn(
            "authorizer",
            "AuthorizerFunction",
            &authorizer_api,
            owned(&identity),
        )?;

        let stop = CancellationToken::new();
        let pump = pump::Pump {
            worker: Arc::clone(&worker_api),
            sqs,
            queue_url,
            queue_arn,
            timeout: options.worker_timeout + Duration::from_secs(5),
        };
        tokio::spawn(pump.run(stop.clone()));
        tokio::spawn(pump::schedule(
            Arc::clone(&worker_api),
            options.schedule_every,
            options.worker_timeout,
            stop.clone(),
        ));

        let gateway = Arc::new(gateway::Gateway {
            server: server_api,
            authorizer: authorizer_api,
            routes: Routes::from_template(&template, "ServerFunction")?,
            origin_secret: suffix,
        });
        let assets = routes::asset_paths(&template)?;
        let app = gateway::router(gateway, options.site_root.as_deref(), &assets);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await?;
        let addr = listener.local_addr()?;
        let serving = stop.clone();
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { serving.cancelled().await })
                .await;
        });
        Ok(Self {
            addr,
            sandbox,
            tables,
            aws,
            _model: model,
            worker: worker_api,
            worker_timeout: options.worker_timeout,
            _functions: vec![server, worker, authorizer],
            metrics,
            stop,
            _data: data,
        })
    }

    /// Sends the worker the schedule's `Scheduled Event` now, as EventBridge does at each
    /// tick, and returns its answer (an error when the poll did not finish).
    pub async fn tick_schedule(&self) -> Result<serde_json::Value, serde_json::Value> {
        pump::tick(&self.worker, self.worker_timeout).await
    }

    /// Where browsers and API clients reach the stack, e.g. `http://127.0.0.1:4000`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

struct Launcher<'a> {
    options: &'a StackOptions,
    data: &'a Path,
    metrics: &'a MetricLog,
}

impl Launcher<'_> {
    /// Starts `binary` in Lambda mode against `api`, with only the environment Lambda and the
    /// template give it.
    fn spawn(
        &self,
        binary: &str,
        logical_id: &str,
        api: &RuntimeApi,
        env: Vec<(String, String)>,
    ) -> anyhow::Result<Child> {
        let path = match (&self.options.server_bin, binary) {
            (Some(server), "server") => server.clone(),
            _ => self.options.bin_dir.join(binary),
        };
        let mut command = Command::new(&path);
        command
            .env_clear()
            .envs(api.function_env(&format!("expedite-{binary}")))
            .envs(env)
            .env("EXPEDITE_DATA_DIR", self.data.join(binary))
            .env("RUST_LOG", &self.options.log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(dir) = &self.options.call_log_dir {
            command.env(
                "EXPEDITE_AWS_CALL_LOG",
                dir.join(format!("{logical_id}.calls")),
            );
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", path.display()))?;
        if let Some(stdout) = child.stdout.take() {
            self.metrics.follow(logical_id, stdout);
        }
        Ok(child)
    }
}

/// How the model double answers every question: one `search_customers` call for the largest
/// customers, then an answer citing the first one the tool returned, so that answers go through
/// the agent loop and the store as a real model's would.
fn model_script() -> Script {
    Script::new().fallback(|request| {
        let messages = request["messages"].as_array().cloned().unwrap_or_default();
        let last = messages.last().cloned().unwrap_or_default();
        if last["role"] == "tool" {
            let content = last["content"].as_str().unwrap_or_default();
            return match first_account_id(content) {
                Some(id) => Step::text(&format!(
                    "{DEFAULT_ANSWER} The largest customer is [customer:{id}]."
                )),
                None => Step::text(DEFAULT_ANSWER),
            };
        }
        if request["tools"].is_array() {
            let largest = serde_json::json!({"sort": "revenue_desc", "limit": 5});
            return Step::tool_call("search_customers", largest);
        }
        Step::text(DEFAULT_ANSWER)
    })
}

/// The first Salesforce Account id (`001` and 15 more letters or digits) in `text`.
fn first_account_id(text: &str) -> Option<&str> {
    text.match_indices("001").find_map(|(at, _)| {
        let id = text.get(at..at + 18)?;
        id.chars().all(|c| c.is_ascii_alphanumeric()).then_some(id)
    })
}

fn owned(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// A parameter's default in the template.
fn template_default(template: &serde_yaml::Value, parameter: &str) -> anyhow::Result<String> {
    let value = &template["Parameters"][parameter]["Default"];
    value
        .as_u64()
        .map(|n| n.to_string())
        .or_else(|| value.as_str().map(str::to_owned))
        .with_context(|| format!("the template has no default for {parameter}"))
}

/// Sets the template's visibility timeout on the jobs queue and returns the queue's ARN.
async fn queue_attributes(
    template: &serde_yaml::Value,
    sqs: &aws_sdk_sqs::Client,
    url: &str,
) -> anyhow::Result<String> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let visibility = template["Resources"]["JobsQueue"]["Properties"]["VisibilityTimeout"]
        .as_u64()
        .context("the template's JobsQueue has a VisibilityTimeout")?;
    sqs.set_queue_attributes()
        .queue_url(url)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility.to_string(),
        )
        .send()
        .await?;
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?;
    attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .context("the queue has an ARN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_account_id_is_found_in_tool_output() {
        let output =
            r#"<crm_data>[{"id":"001Dn000000042IAA"},{"id":"001Dn0000000042IAA"}]</crm_data>"#;
        assert_eq!(first_account_id(output), Some("001Dn0000000042IAA"));
        assert_eq!(first_account_id("no ids, 001 only"), None);
    }
}
