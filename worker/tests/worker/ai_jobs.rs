//! AI-query jobs end to end: the real embedded queue and store, the worker loop, the OpenAI
//! adapter (async-openai) and the local OpenAI double scripting each failure.

use std::{sync::Arc, time::Duration};

use expedite_core::{Config, Ports, Services, identity::Caller, queue::Queue, store::Store};
use expedite_domain::{AiQuery, QueryStatus, Role, UserId};
use expedite_openai::{OpenAiModel, OpenAiSettings};
use expedite_runtime::local::{LoopOptions, run_queue};
use expedite_sqlite::{Database, SqliteIntake, SqliteQueue, SqliteStore};
use expedite_test_support::{
    conformance::{T0, customer},
    openai::{ErrorKind, OpenAiDouble, Script, Step},
};
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// Deliveries per job in these tests (the product uses 5).
const MAX_RECEIVES: u32 = 3;

pub(crate) struct Harness {
    pub(crate) services: Services,
    pub(crate) double: OpenAiDouble,
    stop: CancellationToken,
    pub(crate) data: tempfile::TempDir,
}

pub(crate) fn caller(name: &str) -> Caller {
    Caller {
        user_id: UserId::parse(name).unwrap(),
        username: name.to_owned(),
        email: None,
        groups: Vec::new(),
        role: Role::User,
    }
}

impl Harness {
    /// Store, queue and services over a fresh database, answering with the double; the
    /// worker loop runs only when `with_worker`.
    pub(crate) async fn new(script: Script, with_worker: bool) -> Self {
        Self::configured(script, with_worker, |_, _| {}).await
    }

    /// [`Harness::new`] with the configuration and ports changed by `tweak`.
    pub(crate) async fn configured(
        script: Script,
        with_worker: bool,
        tweak: impl FnOnce(&mut Config, &mut Ports),
    ) -> Self {
        let data = tempfile::tempdir().unwrap();
        let db = Database::open(data.path()).await.unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::new(db.clone()));
        let jobs = SqliteQueue::new(db, "jobs", MAX_RECEIVES);
        let queue: Arc<dyn Queue> = Arc::new(jobs.clone());
        let mut acme = customer(1, "Acme Corporation", T0);
        acme.annual_revenue = Some(5_000_000.0);
        store
            .upsert_customers(&[acme, customer(2, "Globex", T0)])
            .await
            .unwrap();
        let double = OpenAiDouble::start(script).await;
        let mut config = Config::for_tests(data.path().to_owned());
        config.ai.retry_base = Duration::ZERO;
        let model = OpenAiModel::new(OpenAiSettings {
            base_url: Some(double.base_url()),
            api_key: Some("sk-test".to_owned()),
            model: "gpt-test".to_owned(),
            call_timeout: Duration::from_secs(10),
        })
        .unwrap();
        let mut ports = Ports::new(store, Arc::clone(&queue));
        // As in production: the query and its job in one transaction.
        ports.intake = Arc::new(SqliteIntake::new(jobs));
        ports.model = Arc::new(model);
        tweak(&mut config, &mut ports);
        let services = Services::new(config, ports);
        let stop = CancellationToken::new();
        if with_worker {
            tokio::spawn(run_queue(
                Arc::new(services.clone()),
                queue,
                LoopOptions {
                    visibility: Duration::from_secs(30),
                    wait: Duration::from_millis(200),
                    ..LoopOptions::default()
                },
                stop.clone(),
            ));
        }
        Self {
            services,
            double,
            stop,
            data,
        }
    }

    pub(crate) async fn ask(&self, prompt: &str) -> AiQuery {
        self.services
            .submit_query(&caller("alice"), prompt, None)
            .await
            .unwrap()
    }

    /// The query as stored now.
    pub(crate) async fn finished_or_current(&self, query: &AiQuery) -> AiQuery {
        self.services
            .query(&caller("alice"), query.id.as_str())
            .await
            .unwrap()
    }

    /// Waits until the query is COMPLETED or FAILED.
    pub(crate) async fn finished(&self, query: &AiQuery) -> AiQuery {
        finished(&self.services, query).await
    }
}

/// Waits (up to 30 s) until alice's `query` is COMPLETED or FAILED.
pub(crate) async fn finished(services: &Services, query: &AiQuery) -> AiQuery {
    for _ in 0..600 {
        let now = services
            .query(&caller("alice"), query.id.as_str())
            .await
            .unwrap();
        if now.status.is_terminal() {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the query never finished")
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[tokio::test]
async fn the_model_calls_tools_over_the_store_and_only_returned_customers_are_cited() {
    let acme = customer(1, "", T0).id;
    let answer = format!("Acme leads with $5M [customer:{acme}]; also [customer:001000000000999].");
    let script = Script::new()
        .then(Step::tool_call("search_customers", json!({"text": "acme"})).with_usage(100, 10))
        .then(Step::text(&answer).with_usage(200, 20));
    let harness = Harness::new(script, true).await;
    let query = harness
        .finished(&harness.ask("Who is our biggest customer?").await)
        .await;

    assert_eq!(query.status, QueryStatus::Completed, "{query:?}");
    assert_eq!(query.answer.as_deref(), Some(answer.as_str()));
    assert_eq!(
        query.citations,
        vec![acme.clone()],
        "the unknown id is not a citation"
    );
    assert_eq!(query.model.as_deref(), Some("gpt-test"));
    let usage = query.usage.unwrap();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens), (300, 30));
    assert_eq!(query.attempts, 1);

    let requests = harness.double.requests();
    assert_eq!(requests.len(), 2);
    let tools: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        ["search_customers", "aggregate_customers", "get_customer"]
    );
    let messages = requests[1]["messages"].as_array().unwrap();
    let tool_message = messages.iter().find(|m| m["role"] == "tool").unwrap();
    let content = tool_message["content"].as_str().unwrap();
    assert!(
        content.starts_with("<crm_data tool=\"search_customers\">"),
        "{content}"
    );
    assert!(
        content.contains(acme.as_str()) && !content.contains("Globex"),
        "{content}"
    );
    assert_eq!(messages[0]["role"], "system");
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_retry_after_and_then_answered() {
    let script = Script::new()
        .then(Step::error(ErrorKind::RateLimited {
            retry_after_secs: 1,
        }))
        .then(Step::text("All good."));
    let harness = Harness::new(script, true).await;
    let started = std::time::Instant::now();
    let query = harness
        .finished(&harness.ask("How many customers?").await)
        .await;
    assert_eq!(query.status, QueryStatus::Completed, "{query:?}");
    assert_eq!(query.answer.as_deref(), Some("All good."));
    assert_eq!(harness.double.calls(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
}

#[tokio::test]
async fn server_errors_use_up_one_bounded_budget_and_end_failed() {
    let script = Script::new().fallback(|_| Step::error(ErrorKind::ServerError));
    let harness = Harness::new(script, true).await;
    let query = harness.finished(&harness.ask("Anything?").await).await;
    assert_eq!(query.status, QueryStatus::Failed);
    let error = query.error.unwrap();
    assert!(error.contains("after 3 attempts"), "{error}");
    assert_eq!(query.attempts, MAX_RECEIVES);
    // Four tries per delivery (the client's three retries), three deliveries: twelve calls.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(harness.double.calls(), 4 * MAX_RECEIVES as usize);
}

#[tokio::test]
async fn errors_that_retrying_cannot_fix_fail_at_once_with_an_actionable_message() {
    let cases = [
        (ErrorKind::ContextLengthExceeded, "too long"),
        (ErrorKind::InvalidApiKey, "API key"),
        (ErrorKind::InsufficientQuota, "quota"),
    ];
    for (kind, expected) in cases {
        let harness = Harness::new(
            Script::new().fallback(move |_| Step::error(kind.clone())),
            true,
        )
        .await;
        let query = harness.finished(&harness.ask("Top customers?").await).await;
        assert_eq!(query.status, QueryStatus::Failed);
        assert!(
            query.error.as_deref().unwrap().contains(expected),
            "{query:?}"
        );
        assert_eq!(harness.double.calls(), 1, "{expected}: not retried");
        assert_eq!(query.attempts, 1);
    }
}

#[tokio::test]
async fn a_truncated_answer_is_kept_with_a_note_and_a_runaway_tool_loop_is_cut_off() {
    let harness = Harness::new(
        Script::new().then(Step::truncated("Partial list: Acme")),
        true,
    )
    .await;
    let query = harness
        .finished(&harness.ask("List everything").await)
        .await;
    assert_eq!(query.status, QueryStatus::Completed);
    assert!(query.answer.unwrap().contains("cut off"));

    // A model that only ever calls tools: the last round offers none, then the loop gives up.
    let looping = Script::new()
        .fallback(|_| Step::tool_call("get_customer", json!({"id": "001000000000001"})));
    let harness = Harness::new(looping, true).await;
    let query = harness.finished(&harness.ask("Loop forever").await).await;
    assert_eq!(query.status, QueryStatus::Failed);
    assert!(query.error.unwrap().contains("no answer within 6 steps"));
    assert_eq!(harness.double.calls(), 6);
    let last = harness.double.requests().pop().unwrap();
    assert!(
        last.get("tools").is_none(),
        "the last round offers no tools"
    );
}

#[tokio::test]
async fn a_query_whose_job_was_dead_lettered_is_failed_by_the_scheduled_poll() {
    use expedite_core::jobs::{Attempt, Job, JobHandler};

    let harness = Harness::new(Script::new(), false).await;
    let query = harness.ask("Who?").await;
    let queue = harness.services.queue();
    // Deliveries that never finish (a worker dying each time) until the queue gives up.
    for _ in 0..=MAX_RECEIVES {
        let _ = queue
            .receive(1, Duration::ZERO, Duration::ZERO)
            .await
            .unwrap();
    }
    assert_eq!(
        queue
            .receive_dead_letters(10, Duration::ZERO)
            .await
            .unwrap()
            .len(),
        1
    );
    let poll = Attempt {
        receive_count: 1,
        max_receives: MAX_RECEIVES,
        deadline: None,
    };
    harness
        .services
        .handle(&Job::ScheduledPoll, poll)
        .await
        .unwrap();
    let failed = harness.finished(&query).await;
    assert_eq!(failed.status, QueryStatus::Failed);
    assert!(failed.error.unwrap().contains("ask again"));
    assert_eq!(harness.double.calls(), 0);
    assert!(
        queue
            .receive_dead_letters(10, Duration::ZERO)
            .await
            .unwrap()
            .is_empty(),
        "a settled dead letter is removed"
    );
}

#[tokio::test]
async fn a_gateway_error_body_that_openai_types_cannot_read_is_retried_not_fatal() {
    // Some OpenAI-compatible gateways send a numeric `code`.
    let gateway = || {
        Step::error(ErrorKind::Raw {
            status: 502,
            body: r#"{"error":{"message":"upstream timed out","type":"gateway","code":502}}"#
                .to_owned(),
        })
    };
    let mut script = Script::new();
    for _ in 0..4 {
        script = script.then(gateway());
    }
    let harness = Harness::new(script.then(Step::text("Recovered.")), true).await;
    let query = harness.finished(&harness.ask("Top customers?").await).await;
    assert_eq!(query.status, QueryStatus::Completed, "{query:?}");
    assert_eq!(query.answer.as_deref(), Some("Recovered."));
    // The first delivery used the client's four tries; the second delivery answered.
    assert_eq!(query.attempts, 2);
    assert_eq!(harness.double.calls(), 5);

    let unreadable = Script::new().fallback(|_| {
        Step::error(ErrorKind::Raw {
            status: 200,
            body: r#"{"not":"a completion"}"#.to_owned(),
        })
    });
    let harness = Harness::new(unreadable, true).await;
    let query = harness.finished(&harness.ask("Top customers?").await).await;
    assert_eq!(query.status, QueryStatus::Failed);
    assert!(query.error.unwrap().contains("OPENAI_BASE_URL"));
    assert_eq!(harness.double.calls(), 1);
}
