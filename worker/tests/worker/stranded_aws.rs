//! The AWS backends (DynamoDB and SQS on moto) share no transaction: a query saved whose job
//! could not be sent is queued by a retry with the same key, or by the sweep, and answered once.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use expedite_aws::{DynamoStore, SqsQueue, provision};
use expedite_core::{
    Config, Ports, QueryError, Services,
    queue::{Queue, QueueDepth, QueueError, Receipt, Received},
    store::Store,
};
use expedite_domain::{AiQuery, QueryStatus};
use expedite_runtime::local::{LoopOptions, run_queue};
use expedite_test_support::openai::{OpenAiDouble, Script};
use tokio_util::sync::CancellationToken;

use crate::ai_jobs::{caller, finished};

const TEMPLATE: &str = include_str!("../../../infra/template.yaml");

/// SQS whose next `failures` sends fail, as during an outage.
struct Outage {
    inner: SqsQueue,
    failures: AtomicU32,
}

#[async_trait]
impl Queue for Outage {
    async fn send(&self, body: &str, delay: Duration) -> Result<(), QueueError> {
        let failing = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(QueueError::Unavailable("injected outage".into()));
        }
        self.inner.send(body, delay).await
    }
    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        self.inner.receive(max, visibility, wait).await
    }
    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.inner.ack(receipt).await
    }
    async fn extend(&self, receipt: &Receipt, visibility: Duration) -> Result<(), QueueError> {
        self.inner.extend(receipt, visibility).await
    }
    async fn receive_dead_letters(
        &self,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        self.inner.receive_dead_letters(max, visibility).await
    }
    async fn ack_dead_letter(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.inner.ack_dead_letter(receipt).await
    }
    async fn depth(&self) -> Result<QueueDepth, QueueError> {
        self.inner.depth().await
    }
    fn max_receives(&self) -> u32 {
        self.inner.max_receives()
    }
    fn backend_name(&self) -> &'static str {
        "SQS with an outage"
    }
}

struct Rig {
    services: Services,
    double: OpenAiDouble,
    queue: Arc<Outage>,
    stop: CancellationToken,
    _data: tempfile::TempDir,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn rig() -> Rig {
    let endpoint = std::env::var("EXPEDITE_TEST_MOTO_URL").expect(
        "EXPEDITE_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts moto",
    );
    let aws = provision::emulator_config(&endpoint).await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let tables = provision::create_tables(&aws, TEMPLATE, &suffix)
        .await
        .unwrap();
    let (queue_url, dead_letter_url) = provision::create_queues(&aws, &suffix, 3).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(DynamoStore::new(&aws, tables));
    let queue = Arc::new(Outage {
        inner: SqsQueue::new(&aws, queue_url, dead_letter_url, 3),
        failures: AtomicU32::new(0),
    });
    let double = OpenAiDouble::start(Script::new()).await;
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_owned());
    config.requeue_after = Duration::ZERO;
    let mut ports = Ports::new(store, queue.clone());
    ports.model = Arc::new(
        expedite_openai::OpenAiModel::new(expedite_openai::OpenAiSettings {
            base_url: Some(double.base_url()),
            api_key: Some("sk-test".to_owned()),
            model: "gpt-test".to_owned(),
            call_timeout: Duration::from_secs(10),
        })
        .unwrap(),
    );
    let services = Services::new(config, ports);
    let stop = CancellationToken::new();
    tokio::spawn(run_queue(
        Arc::new(services.clone()),
        queue.clone(),
        LoopOptions {
            visibility: Duration::from_secs(30),
            wait: Duration::from_millis(200),
            ..LoopOptions::default()
        },
        stop.clone(),
    ));
    Rig {
        services,
        double,
        queue,
        stop,
        _data: data,
    }
}

impl Rig {
    async fn only_query(&self) -> AiQuery {
        let page = expedite_domain::PageRequest {
            cursor: None,
            limit: expedite_domain::Limit::parse(Some(10)).unwrap(),
        };
        let mut history = self
            .services
            .query_history(&caller("alice"), &page)
            .await
            .unwrap()
            .items;
        assert_eq!(history.len(), 1, "{history:?}");
        history.pop().unwrap()
    }
}

#[tokio::test]
async fn aws_a_saved_query_whose_send_failed_is_queued_by_a_same_key_retry() {
    let rig = rig().await;
    rig.queue.failures.store(1, Ordering::SeqCst);
    let alice = caller("alice");
    let first = rig
        .services
        .submit_query(&alice, "Who leads?", Some("retry-1"))
        .await;
    assert!(matches!(first, Err(QueryError::NotQueued)), "{first:?}");
    let saved = rig.only_query().await;
    assert_eq!((saved.status, saved.attempts), (QueryStatus::Queued, 0));

    let retried = rig
        .services
        .submit_query(&alice, "Who leads?", Some("retry-1"))
        .await
        .unwrap();
    assert_eq!(retried.id, saved.id, "the same question, not a second one");
    let done = finished(&rig.services, &saved).await;
    assert_eq!(done.status, QueryStatus::Completed, "{done:?}");
    assert_eq!(done.attempts, 1);
    assert_eq!(rig.double.calls(), 1, "answered once");
}

#[tokio::test]
async fn aws_a_saved_query_whose_send_failed_is_queued_by_the_sweep() {
    let rig = rig().await;
    rig.queue.failures.store(1, Ordering::SeqCst);
    let first = rig
        .services
        .submit_query(&caller("alice"), "Who is in Banking?", None)
        .await;
    assert!(matches!(first, Err(QueryError::NotQueued)), "{first:?}");
    let saved = rig.only_query().await;
    tokio::time::sleep(Duration::from_millis(5)).await;

    let swept = rig.services.requeue_stranded().await;
    assert_eq!(swept.queries, 1);
    let done = finished(&rig.services, &saved).await;
    assert_eq!(done.status, QueryStatus::Completed, "{done:?}");
    let swept = rig.services.requeue_stranded().await;
    assert_eq!(swept.queries, 0, "answered queries are not swept");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rig.double.calls(), 1, "answered once");
}
