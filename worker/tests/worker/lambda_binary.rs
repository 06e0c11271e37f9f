//! The real `worker` binary in Lambda mode, fed sample events through a local Runtime API.

use std::{process::Stdio, time::Duration};

use expedite_core::jobs::Job;
use expedite_test_support::lambda_runtime_api::RuntimeApi;
use serde_json::json;
use tokio::process::Command;

#[tokio::test]
async fn the_binary_serves_sqs_batches_and_scheduled_events() {
    let api = RuntimeApi::start().await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let _child = Command::new(env!("CARGO_BIN_EXE_worker"))
        .env_clear()
        .envs(api.function_env("expedite-worker"))
        .env("EXPEDITE_DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("worker binary starts");

    let record = |id: &str, body: &str| {
        json!({
            "messageId": id, "receiptHandle": "h", "body": body,
            "attributes": {"ApproximateReceiveCount": "1"},
            "eventSource": "aws:sqs", "awsRegion": "us-east-1"
        })
    };
    let batch = json!({"Records": [
        record("good", &Job::ScheduledPoll.to_body()),
        record("bad", "{\"kind\":\"unknown\"}"),
    ]});
    let response = api
        .invoke(batch, Duration::from_secs(30))
        .await
        .expect("answered in time")
        .expect("no function error");
    assert_eq!(
        response,
        json!({"batchItemFailures": [{"itemIdentifier": "bad"}]}),
        "a job is settled, a malformed message is left for the dead-letter queue"
    );

    let unsupported = api
        .invoke(json!({"hello": "world"}), Duration::from_secs(30))
        .await
        .expect("answered in time");
    assert!(
        unsupported.is_err(),
        "unsupported events are reported as errors"
    );
    assert!(api.init_errors().is_empty());
}
