//! What Lambda's SQS event source mapping and the EventBridge schedule do for the worker: long
//! poll the jobs queue, hand batches of up to 10 to the function, delete what it did not report
//! in `batchItemFailures` (everything is left when the invocation fails), and send a
//! `Scheduled Event` at the schedule's rate.

use std::{sync::Arc, time::Duration};

use aws_sdk_sqs::types::MessageSystemAttributeName;
use expedite_test_support::lambda_runtime_api::RuntimeApi;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken as Stop;

/// The worker function and where its events come from.
pub(crate) struct Pump {
    pub(crate) worker: Arc<RuntimeApi>,
    pub(crate) sqs: aws_sdk_sqs::Client,
    pub(crate) queue_url: String,
    pub(crate) queue_arn: String,
    /// The function's timeout: how long the pump waits for one invocation.
    pub(crate) timeout: Duration,
}

impl Pump {
    /// Polls until `stop` fires.
    pub(crate) async fn run(self, stop: Stop) {
        while !stop.is_cancelled() {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                // Lambda long-polls for up to 20 s; a shorter wait keeps shutdown quick.
                .wait_time_seconds(1)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send()
                .await;
            let messages = match received {
                Ok(output) => output.messages.unwrap_or_default(),
                Err(error) => {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(error), "receive failed");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            if messages.is_empty() {
                continue;
            }
            let records: Vec<Value> = messages.iter().map(|m| self.record(m)).collect();
            let answer = self
                .worker
                .invoke(json!({ "Records": records }), self.timeout)
                .await;
            let failed: Vec<String> = match &answer {
                Some(Ok(response)) => response["batchItemFailures"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
                    .collect(),
                // A failed or timed-out invocation: the whole batch comes back after its
                // visibility timeout.
                Some(Err(error)) => {
                    tracing::warn!(%error, "the worker function failed");
                    continue;
                }
                None => {
                    tracing::warn!("the worker function timed out");
                    continue;
                }
            };
            for message in &messages {
                let id = message.message_id().unwrap_or_default();
                if failed.iter().any(|f| f == id) {
                    continue;
                }
                if let Some(receipt) = message.receipt_handle()
                    && let Err(error) = self
                        .sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(receipt)
                        .send()
                        .await
                {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(error), "delete failed");
                }
            }
        }
    }

    /// One record of the SQS event, as the event source mapping writes it.
    fn record(&self, message: &aws_sdk_sqs::types::Message) -> Value {
        let attributes: serde_json::Map<String, Value> = message
            .attributes()
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.as_str().to_owned(), json!(value)))
            .collect();
        json!({
            "messageId": message.message_id(),
            "receiptHandle": message.receipt_handle(),
            "body": message.body(),
            "attributes": attributes,
            "messageAttributes": {},
            "md5OfBody": message.md5_of_body(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": "us-east-1",
        })
    }
}

/// The schedule: a `Scheduled Event` to the worker every `every`, until `stop`.
pub(crate) async fn schedule(
    worker: Arc<RuntimeApi>,
    every: Duration,
    timeout: Duration,
    stop: Stop,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        if let Err(error) = tick(&worker, timeout).await {
            tracing::warn!(%error, "the scheduled poll failed; the next tick retries");
        }
    }
}

/// One tick: the `Scheduled Event` EventBridge sends for the template's rule, and the
/// function's answer.
pub(crate) async fn tick(worker: &RuntimeApi, timeout: Duration) -> Result<Value, Value> {
    let event = json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "1970-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/expedite-hourly-poll"],
        "detail": {}
    });
    worker
        .invoke(event, timeout)
        .await
        .unwrap_or_else(|| Err(json!("the invocation timed out")))
}
