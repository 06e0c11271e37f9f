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
    store::Store,
};
use expedite_openai::{OpenAiModel, OpenAiSettings};
use expedite_sqlite::{Database, SqliteIntake, SqliteQueue, SqliteStore};

/// Name of the embedded queue that carries AI queries and syncs.
pub const JOBS_QUEUE: &str = "jobs";

/// Deliveries before a job message is dead-lettered (SQS `maxReceiveCount` on AWS).
pub const MAX_RECEIVES: u32 = 5;

/// The store and the queue the configuration chose.
#[derive(Clone)]
pub struct Backends {
    pub store: Arc<dyn Store>,
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
        let store: Arc<dyn Store> = match &config.store {
            StoreBackend::Sqlite => Arc::new(SqliteStore::new(
                open_database(&mut database, config).await?,
            )),
            StoreBackend::DynamoDb {
                queries_table,
                customers_table,
                sync_table,
                identity_table,
            } => Arc::new(DynamoStore::new(
                aws_config(&mut aws).await,
                TableNames {
                    queries: queries_table.clone(),
                    customers: customers_table.clone(),
                    sync: sync_table.clone(),
                    identity: identity_table.clone(),
                },
            )),
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
                let queue: Arc<dyn Queue> = Arc::new(SqsQueue::new(
                    aws_config(&mut aws).await,
                    queue_url,
                    dead_letter_url,
                    MAX_RECEIVES,
                ));
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
            queue,
            intake,
        })
    }

    /// The adapters over these backends: the configured model and Salesforce, and no identity
    /// provider (the server adds its own).
    pub async fn ports(self, config: &Config) -> anyhow::Result<Ports> {
        let sync = crate::salesforce::sync_engine(config, &self.store).await?;
        let mut ports = Ports::new(self.store, self.queue);
        ports.intake = self.intake;
        ports.model = language_model(config)?;
        ports.sync = sync;
        Ok(ports)
    }

    /// The use-cases over these backends, without an identity provider (the worker needs none).
    pub async fn services(self, config: Config) -> anyhow::Result<Services> {
        let ports = self.ports(&config).await?;
        Ok(Services::new(config, ports))
    }
}

/// The model the configuration names: OpenAI or a compatible endpoint, or the demo responder.
pub fn language_model(config: &Config) -> anyhow::Result<Arc<dyn LanguageModel>> {
    Ok(match &config.ai.provider {
        AiProvider::Demo => Arc::new(DemoModel),
        AiProvider::OpenAi {
            api_key,
            base_url,
            model,
        } => Arc::new(
            OpenAiModel::trusting(
                OpenAiSettings {
                    base_url: base_url.clone(),
                    api_key: api_key.clone(),
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
