//! The backends a process runs on, chosen from configuration at run time, and the ports and
//! use-cases over them.

use std::sync::Arc;

use anyhow::Context;
use expedite_aws::{AwsSettings, DynamoStore, SqsQueue, TableNames};
use expedite_core::{
    Config, Ports, QueueBackend, Services, StoreBackend,
    ai::{AiProvider, DemoModel, LanguageModel},
    intake::{Intake, SaveThenSend},
    queue::Queue,
    store::{IdentityStore, Store},
};
use expedite_openai::{OpenAiModel, OpenAiSettings};
use expedite_sqlite::{Database, SqliteIntake, SqliteQueue, SqliteStore};

use crate::secrets::{OPENAI_SECRET_VAR, Secrets};

/// Name of the embedded queue that carries AI queries and syncs.
pub const JOBS_QUEUE: &str = "jobs";

/// Deliveries before a job message is dead-lettered in the embedded queue (on AWS the SQS
/// queue's redrive policy says, and the worker reads it at start-up).
pub const MAX_RECEIVES: u32 = 5;

/// The store and the queue the configuration chose.
#[derive(Clone)]
pub struct Backends {
    pub store: Arc<dyn Store>,
    /// The built-in identity provider's accounts: only the embedded store keeps them.
    pub accounts: Option<Arc<dyn IdentityStore>>,
    pub queue: Arc<dyn Queue>,
    /// Writes new work with its job: in one transaction when store and queue share SQLite.
    pub intake: Arc<dyn Intake>,
}

impl Backends {
    /// Opens the configured backends; the embedded database and the AWS configuration are
    /// opened once, and only when a backend needs them.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let mut database = None;
        let mut aws = None;
        let (store, accounts): (Arc<dyn Store>, Option<Arc<dyn IdentityStore>>) =
            match &config.store {
                StoreBackend::Sqlite => {
                    let store = Arc::new(SqliteStore::new(
                        open_database(&mut database, config).await?,
                    ));
                    (store.clone(), Some(store))
                }
                StoreBackend::DynamoDb {
                    queries_table,
                    customers_table,
                    sync_table,
                } => {
                    let tables = TableNames {
                        queries: queries_table.clone(),
                        customers: customers_table.clone(),
                        sync: sync_table.clone(),
                    };
                    (
                        Arc::new(DynamoStore::new(aws_config(&mut aws).await, tables)),
                        None,
                    )
                }
            };
        let (queue, intake): (Arc<dyn Queue>, Arc<dyn Intake>) = match &config.queue {
            QueueBackend::Sqlite => {
                let queue = SqliteQueue::new(
                    open_database(&mut database, config).await?,
                    JOBS_QUEUE,
                    MAX_RECEIVES,
                );
                // The store in the same file takes each record with its job in one transaction.
                let intake: Arc<dyn Intake> = match config.store {
                    StoreBackend::Sqlite => Arc::new(SqliteIntake::new(queue.clone())),
                    StoreBackend::DynamoDb { .. } => {
                        Arc::new(SaveThenSend::new(store.clone(), Arc::new(queue.clone())))
                    }
                };
                (Arc::new(queue), intake)
            }
            QueueBackend::Sqs {
                queue_url,
                dead_letter_url,
            } => {
                let queue: Arc<dyn Queue> = Arc::new(
                    SqsQueue::from_redrive_policy(
                        aws_config(&mut aws).await,
                        queue_url,
                        dead_letter_url,
                    )
                    .await
                    .context("reading the job queue's redrive policy")?,
                );
                let intake = Arc::new(SaveThenSend::new(store.clone(), queue.clone()));
                (queue, intake)
            }
        };
        tracing::info!(
            store = store.backend_name(),
            queue = queue.backend_name(),
            "backends ready"
        );
        Ok(Self {
            store,
            accounts,
            queue,
            intake,
        })
    }

    /// The adapters of a process that runs jobs: the configured model and Salesforce, with the
    /// secrets the configuration names read now, once; no identity provider (the server adds
    /// its own).
    pub async fn ports(self, config: &Config) -> anyhow::Result<Ports> {
        let secrets = Secrets::read(config).await?;
        self.ports_with(config, &secrets).await
    }

    /// [`Self::ports`] with secrets already read (tests read them from an emulator).
    pub async fn ports_with(self, config: &Config, secrets: &Secrets) -> anyhow::Result<Ports> {
        let sync = crate::salesforce::sync_engine_with(config, &self.store, secrets).await?;
        let mut ports = self.adapters(config, Some(secrets))?;
        ports.sync = sync;
        Ok(ports)
    }

    /// The adapters of a process that runs no jobs (the server on Lambda, or beside a separate
    /// worker): no Salesforce client and no secrets, only whether Salesforce is configured, so
    /// manual syncs are accepted for the worker. The model is built for its name alone (the
    /// dashboard's "Answers"); without its key it is never called here.
    pub fn serving_ports(self, config: &Config) -> anyhow::Result<Ports> {
        let mut ports = self.adapters(config, None)?;
        ports.salesforce_configured = crate::salesforce::configured(config);
        Ok(ports)
    }

    fn adapters(self, config: &Config, secrets: Option<&Secrets>) -> anyhow::Result<Ports> {
        let mut ports = Ports::new(self.store, self.queue);
        ports.intake = self.intake;
        ports.accounts = self.accounts;
        ports.model = language_model(config, secrets)?;
        Ok(ports)
    }

    /// The use-cases over these backends, without an identity provider (the worker needs none).
    pub async fn services(self, config: Config) -> anyhow::Result<Services> {
        let ports = self.ports(&config).await?;
        Ok(Services::new(config, ports))
    }
}

/// The model the configuration names: OpenAI or a compatible endpoint (with the key from
/// `secrets` when the configuration refers to one), or the demo responder. `secrets` is
/// `None` in a process that reads none (it never calls the model; the name is for the status).
pub fn language_model(
    config: &Config,
    secrets: Option<&Secrets>,
) -> anyhow::Result<Arc<dyn LanguageModel>> {
    let key = secrets.and_then(|secrets| secrets.openai_api_key.as_ref());
    let unset = secrets.is_some_and(|secrets| secrets.unset.contains(&OPENAI_SECRET_VAR));
    Ok(match &config.ai.provider {
        AiProvider::Demo => Arc::new(DemoModel),
        // OpenAI itself needs the key its secret does not hold yet.
        AiProvider::OpenAi { base_url: None, .. } if unset => {
            tracing::warn!(
                "the OpenAI key's secret has no value yet: answering with the demo responder"
            );
            Arc::new(DemoModel)
        }
        AiProvider::OpenAi {
            api_key,
            base_url,
            model,
        } => Arc::new(
            OpenAiModel::trusting(
                OpenAiSettings {
                    base_url: base_url.clone(),
                    api_key: key
                        .map(|key| key.expose().to_owned())
                        .or_else(|| api_key.clone()),
                    model: model.clone(),
                    call_timeout: config.ai.answer_timeout,
                },
                config.ca_bundle.as_ref(),
            )
            .map_err(anyhow::Error::msg)?,
        ),
    })
}

async fn open_database(slot: &mut Option<Database>, config: &Config) -> anyhow::Result<Database> {
    if let Some(database) = slot {
        return Ok(database.clone());
    }
    let database = Database::open(&config.data_dir)
        .await
        .with_context(|| format!("opening the database in {}", config.data_dir.display()))?;
    Ok(slot.insert(database).clone())
}

/// The SDK reads its own standard settings (AWS_REGION, AWS_ENDPOINT_URL, credentials chain).
async fn aws_config(slot: &mut Option<aws_config::SdkConfig>) -> &aws_config::SdkConfig {
    if slot.is_none() {
        *slot = Some(expedite_aws::load_config(&AwsSettings::default()).await);
    }
    slot.as_ref().expect("set above")
}
