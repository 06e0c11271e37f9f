//! The call log: one line per AWS operation, its IAM action, whatever the retries, from every
//! client the adapters build when `EXPEDITE_AWS_CALL_LOG` names a file.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use expedite_aws::{
    CALL_LOG_VAR, CallLog, CognitoIdp, DynamoStore, SecretsManager, SqsQueue,
    provision::{self, PasswordKind},
};
use expedite_core::{
    identity::IdentityProvider,
    queue::Queue,
    store::{NewQuery, QueryStore},
};
use expedite_domain::{Prompt, QueryId, Timestamp, UserId};

/// Set in the processes the variable test starts (each runs the calls once).
const CHILD_VAR: &str = "EXPEDITE_TEST_CALL_LOG_CHILD";
const SENDS_PER_CHILD: usize = 20;
const PASSWORD: &str = "Chosen-Passw0rd-123!";

fn log_path() -> PathBuf {
    std::env::temp_dir().join(format!("expedite-{}.calls", uuid::Uuid::new_v4().simple()))
}

fn lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("the call log");
    assert!(text.ends_with('\n'), "{text:?}");
    text.lines().map(str::to_owned).collect()
}

fn new_query(key: Option<&str>) -> NewQuery {
    NewQuery {
        id: QueryId::parse(uuid::Uuid::now_v7().to_string()).unwrap(),
        owner: UserId::parse("ana").unwrap(),
        prompt: Prompt::parse("Which accounts grew?").unwrap(),
        idempotency_key: key.map(str::to_owned),
        now: Timestamp::from_millis(1_735_689_600_000),
    }
}

/// Counts the attempts that reach the network.
#[derive(Debug, Clone, Default)]
struct Attempts(Arc<AtomicU32>);

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "Attempts"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A user pool holding ana@example.com (permanent [`PASSWORD`]); returns its app client id.
async fn pool_with_ana(config: &aws_config::SdkConfig) -> String {
    let (pool_id, client_id) = provision::create_user_pool(config).await.unwrap();
    provision::add_user(
        config,
        &pool_id,
        "ana@example.com",
        PASSWORD,
        PasswordKind::Permanent,
        &[],
    )
    .await
    .unwrap();
    client_id
}

#[tokio::test]
async fn each_call_is_one_line_naming_its_iam_action() {
    let config = crate::moto::config().await;
    let path = log_path();
    let log = CallLog::to(&path);

    let tables = crate::moto::create_tables(&config).await;
    let dynamodb = aws_sdk_dynamodb::config::Builder::from(&config).interceptor(log.clone());
    let store = DynamoStore::with_client(
        aws_sdk_dynamodb::Client::from_conf(dynamodb.build()),
        tables,
    );
    let keyed = store.create_query(new_query(Some("k-1"))).await.unwrap();
    store.create_query(new_query(None)).await.unwrap();
    store
        .get_query(&keyed.into_inner().id)
        .await
        .unwrap()
        .unwrap();

    let (queue_url, _) = crate::moto::create_queues(&config, 3).await;
    let sqs = aws_sdk_sqs::config::Builder::from(&config).interceptor(log.clone());
    let sqs = aws_sdk_sqs::Client::from_conf(sqs.build());
    sqs.send_message()
        .queue_url(&queue_url)
        .message_body("{}")
        .send()
        .await
        .unwrap();

    let client_id = pool_with_ana(&config).await;
    let cognito =
        aws_sdk_cognitoidentityprovider::config::Builder::from(&config).interceptor(log.clone());
    aws_sdk_cognitoidentityprovider::Client::from_conf(cognito.build())
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ana@example.com")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();

    // A call that fails after several attempts is still one call.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let attempts = Attempts::default();
    let retry = aws_config::retry::RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1));
    let unreachable = aws_sdk_dynamodb::config::Builder::from(&config)
        .endpoint_url(format!("http://{closed}"))
        .retry_config(retry)
        .interceptor(log.clone())
        .interceptor(attempts.clone());
    aws_sdk_dynamodb::Client::from_conf(unreachable.build())
        .describe_table()
        .table_name("nothing-listens")
        .send()
        .await
        .expect_err("nothing listens there");
    assert_eq!(attempts.0.load(Ordering::SeqCst), 3, "the call was retried");

    assert_eq!(
        lines(&path),
        [
            "dynamodb:PutItem via=TransactWriteItems",
            "dynamodb:PutItem",
            "dynamodb:GetItem",
            "sqs:SendMessage",
            "cognito-idp:InitiateAuth unsigned",
            "dynamodb:DescribeTable",
        ]
    );
    std::fs::remove_file(&path).unwrap();
}

/// The calls of one process that has the variable set, through the adapters' constructors.
async fn calls_through_the_constructors() {
    let config = crate::moto::config().await;
    let tables = crate::moto::create_tables(&config).await;
    let store = DynamoStore::new(&config, tables);
    store.create_query(new_query(None)).await.unwrap();

    let (queue_url, dead_letter_url) = crate::moto::create_queues(&config, 3).await;
    let queue = Arc::new(
        SqsQueue::from_redrive_policy(&config, queue_url, dead_letter_url)
            .await
            .unwrap(),
    );
    let sends: Vec<_> = (0..SENDS_PER_CHILD)
        .map(|n| {
            let queue = Arc::clone(&queue);
            tokio::spawn(async move { queue.send(&format!("{{\"n\":{n}}}"), Duration::ZERO).await })
        })
        .collect();
    for send in sends {
        send.await.unwrap().unwrap();
    }

    let name = format!("expedite/calls-{}", uuid::Uuid::new_v4().simple());
    let arn = provision::create_secret(&config, &name, "value")
        .await
        .unwrap();
    SecretsManager::new(&config)
        .get_secret_string(&arn)
        .await
        .unwrap();

    let client_id = pool_with_ana(&config).await;
    let idp = CognitoIdp::new(&config, client_id);
    idp.sign_in("ana@example.com", PASSWORD).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_variable_puts_the_log_in_every_client_and_processes_share_it() {
    if std::env::var_os(CHILD_VAR).is_some() {
        assert!(std::env::var_os(CALL_LOG_VAR).is_some());
        return calls_through_the_constructors().await;
    }
    let path = log_path();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "calls::the_variable_puts_the_log_in_every_client_and_processes_share_it",
                ])
                .args(["--nocapture", "--test-threads=1"])
                .env(CHILD_VAR, "1")
                .env(CALL_LOG_VAR, &path)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "a process with the variable set failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    let mut counts = HashMap::<String, usize>::new();
    for line in lines(&path) {
        *counts.entry(line).or_default() += 1;
    }
    let expected = HashMap::from(
        [
            ("dynamodb:PutItem", 2),
            ("sqs:GetQueueAttributes", 2),
            ("sqs:SendMessage", 2 * SENDS_PER_CHILD),
            ("secretsmanager:GetSecretValue", 2),
            ("cognito-idp:InitiateAuth unsigned", 2),
        ]
        .map(|(line, count)| (line.to_owned(), count)),
    );
    assert_eq!(counts, expected);
    std::fs::remove_file(&path).unwrap();
}
