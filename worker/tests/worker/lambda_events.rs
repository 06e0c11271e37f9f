//! `handle_event` with sample SQS and EventBridge payloads, as Lambda delivers them.

use expedite_core::jobs::{Attempt, Job, JobError};
use serde_json::{Value, json};
use worker::lambda::{Deliveries, handle_event};

use crate::support::{Recorder, transient};

fn sqs_record(message_id: &str, body: &str, receive_count: u32) -> Value {
    json!({
        "messageId": message_id,
        "receiptHandle": format!("AQEB{message_id}"),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": receive_count.to_string(),
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1700000000001"
        },
        "messageAttributes": {},
        "md5OfBody": "00000000000000000000000000000000",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:expedite-jobs",
        "awsRegion": "us-east-1"
    })
}

/// Five deliveries, no queue to hold messages back.
const FIVE: Deliveries<'static> = Deliveries {
    max_receives: 5,
    queue: None,
    deadline: None,
};

fn scheduled_event() -> Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-28T16:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/expedite-hourly-poll"],
        "detail": {}
    })
}

#[tokio::test]
async fn sqs_batch_reports_only_the_messages_to_redeliver() {
    let query = Job::AiQuery {
        query_id: "q-1".into(),
    };
    let sync = Job::SalesforceSync {
        sync_id: "s-1".into(),
        step: 0,
    };
    // First record succeeds, second fails transiently, third fails for good (recorded, acked).
    let handler = Recorder::scripted([
        Ok(()),
        transient(),
        Err(JobError::Permanent("bad key".into())),
    ]);
    let event = json!({"Records": [
        sqs_record("m-1", &query.to_body(), 1),
        sqs_record("m-2", &sync.to_body(), 3),
        sqs_record("m-3", &query.to_body(), 5),
        sqs_record("m-4", "this is not a job", 1),
    ]});

    let response = handle_event(handler.as_ref(), FIVE, event).await.unwrap();

    assert_eq!(
        response,
        json!({"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-4"}]})
    );
    let calls = handler.calls();
    assert_eq!(
        calls.len(),
        3,
        "the malformed body never reaches the handler"
    );
    assert_eq!(calls[0].0, query);
    assert_eq!(calls[1].0, sync);
    assert_eq!(
        calls[1].1,
        Attempt {
            receive_count: 3,
            max_receives: 5,
            deadline: None,
        },
        "the receive count comes from ApproximateReceiveCount"
    );
    assert!(calls[2].1.is_last());
}

#[tokio::test]
async fn an_empty_batch_has_no_failures() {
    let handler = Recorder::scripted([]);
    let response = handle_event(handler.as_ref(), FIVE, json!({"Records": []}))
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
}

#[tokio::test]
async fn scheduled_event_runs_the_poll_once() {
    let handler = Recorder::scripted([]);
    let response = handle_event(handler.as_ref(), FIVE, scheduled_event())
        .await
        .unwrap();
    assert_eq!(response, Value::Null);
    let calls = handler.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, Job::ScheduledPoll);
}

#[tokio::test]
async fn a_failed_scheduled_poll_is_reported_to_lambda() {
    let handler = Recorder::scripted([transient()]);
    assert!(
        handle_event(handler.as_ref(), FIVE, scheduled_event())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn unknown_events_are_errors_not_silence() {
    let handler = Recorder::scripted([]);
    for event in [
        json!({"hello": "world"}),
        json!(42),
        json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}}),
    ] {
        assert!(
            handle_event(handler.as_ref(), FIVE, event.clone())
                .await
                .is_err(),
            "{event}"
        );
    }
    assert!(handler.calls().is_empty());
}

#[tokio::test]
async fn a_failed_record_is_held_back_for_its_retry_delay_before_it_is_reported() {
    use std::time::Duration;

    use expedite_core::{
        clock::{ManualClock, SystemClock},
        queue::Queue,
    };

    let data = tempfile::tempdir().unwrap();
    let db = expedite_sqlite::Database::open(data.path()).await.unwrap();
    let clock = ManualClock::at(expedite_core::clock::Clock::now(&SystemClock));
    let queue = expedite_sqlite::SqliteQueue::new(db, "jobs", 5)
        .with_clock(std::sync::Arc::new(clock.clone()));
    let job = Job::AiQuery {
        query_id: "q-9".into(),
    };
    queue.send(&job.to_body(), Duration::ZERO).await.unwrap();
    let delivered = queue
        .receive(1, Duration::from_secs(5), Duration::ZERO)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let mut record = sqs_record("m-9", &delivered.body, 1);
    record["receiptHandle"] = json!(delivered.receipt.0);

    let handler = Recorder::scripted([Err(JobError::Transient {
        message: "429".into(),
        retry_after: Some(Duration::from_secs(40)),
    })]);
    let deliveries = Deliveries {
        max_receives: 5,
        queue: Some(&queue),
        deadline: None,
    };
    let response = handle_event(handler.as_ref(), deliveries, json!({"Records": [record]}))
        .await
        .unwrap();
    assert_eq!(response["batchItemFailures"][0]["itemIdentifier"], "m-9");

    // Past the queue's own 5 s visibility, before the 40 s delay: still hidden.
    clock.advance(Duration::from_secs(30));
    let early = queue
        .receive(1, Duration::from_secs(5), Duration::ZERO)
        .await
        .unwrap();
    assert!(early.is_empty(), "held back for the retry delay");
    clock.advance(Duration::from_secs(11));
    let again = queue
        .receive(1, Duration::from_secs(5), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "redelivered once the delay is over");
}
