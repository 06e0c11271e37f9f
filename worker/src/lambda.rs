//! The Lambda entry: SQS batches and EventBridge scheduled events.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lambda_events::{eventbridge::EventBridgeEvent, sqs::SqsEvent};
use expedite_core::{
    Services,
    jobs::{Attempt, Job, JobHandler, Outcome, process_one},
    queue::{Queue, Receipt},
};
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Serialize;
use serde_json::Value;

/// The response Lambda expects when the event source mapping reports batch item failures.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse {
    pub batch_item_failures: Vec<BatchItemFailure>,
}

/// One message Lambda must leave on the queue for redelivery.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BatchItemFailure {
    pub item_identifier: String,
}

/// An invocation payload the worker does not understand.
#[derive(Debug, thiserror::Error)]
#[error("unsupported event: {0}")]
pub struct UnsupportedEvent(String);

/// SQS lets a message stay hidden at most this long (`ChangeMessageVisibility`).
const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 3600);

/// What the SQS side of a Lambda invocation needs: the deliveries before a message is
/// dead-lettered, the queue, to hold a failed message back for its retry delay, and when the
/// invocation's time is up.
#[derive(Clone, Copy)]
pub struct Deliveries<'a> {
    pub max_receives: u32,
    /// `None` in tests that only look at the batch response.
    pub queue: Option<&'a dyn Queue>,
    /// The invocation's deadline less the margin (see [`Attempt::deadline`]).
    pub deadline: Option<Instant>,
}

/// Serves invocations from the Lambda Runtime API until the runtime stops. `margin` is kept
/// free before each invocation's deadline (`EXPEDITE_JOB_DEADLINE_MARGIN_SECS`).
pub async fn run(
    services: Services,
    max_receives: u32,
    margin: Duration,
) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let services = services.clone();
        async move {
            let deliveries = Deliveries {
                max_receives,
                queue: Some(services.queue().as_ref()),
                deadline: Some(work_deadline(event.context.deadline, margin)),
            };
            let handled = handle_event(&services, deliveries, event.payload).await;
            // Before Lambda freezes the process: the metrics as EMF lines, the counts into
            // the store's per-hour rollups.
            expedite_runtime::telemetry::flush_emf_to_stdout();
            expedite_core::ops::flush(services.store().as_ref(), services.now()).await;
            handled
        }
    }))
    .await
}

/// The instant by which work must stop: the invocation's deadline (milliseconds since the
/// epoch, as the Runtime API gives it) less `margin`.
pub fn work_deadline(deadline_ms: u64, margin: Duration) -> Instant {
    let deadline = UNIX_EPOCH + Duration::from_millis(deadline_ms);
    let left = deadline
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    Instant::now() + left.saturating_sub(margin)
}

/// Dispatches one invocation payload: an SQS batch or a scheduled event.
pub async fn handle_event(
    handler: &dyn JobHandler,
    deliveries: Deliveries<'_>,
    payload: Value,
) -> Result<Value, lambda_runtime::Error> {
    if payload.get("Records").is_some() {
        let event: SqsEvent = serde_json::from_value(payload)?;
        let response = handle_sqs(handler, deliveries, event).await;
        Ok(serde_json::to_value(response)?)
    } else if payload.get("detail-type").is_some() {
        let event: EventBridgeEvent = serde_json::from_value(payload)?;
        handle_schedule(handler, &event).await?;
        Ok(Value::Null)
    } else {
        Err(UnsupportedEvent("neither SQS records nor an EventBridge event".into()).into())
    }
}

/// Processes the batch's records concurrently (one invocation's time limit covers them all);
/// the ones to redeliver are reported by message id, each first hidden for its retry delay
/// (otherwise SQS would redeliver it only after the whole visibility timeout).
async fn handle_sqs(
    handler: &dyn JobHandler,
    deliveries: Deliveries<'_>,
    event: SqsEvent,
) -> BatchResponse {
    let max_receives = deliveries.max_receives;
    let jobs = event.records.into_iter().map(|record| async move {
        let message_id = record.message_id.unwrap_or_default();
        let receipt = record.receipt_handle.clone();
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|count| count.parse().ok())
            .unwrap_or(1);
        let attempt = Attempt {
            receive_count,
            max_receives,
            deadline: deliveries.deadline,
        };
        let body = record.body.unwrap_or_default();
        let outcome = process_one(handler, &body, attempt).await;
        if let (Outcome::Retry { delay: Some(delay) }, Some(queue), Some(receipt)) =
            (&outcome, deliveries.queue, receipt)
            && let Err(error) = queue
                .extend(&Receipt(receipt), (*delay).min(MAX_VISIBILITY))
                .await
        {
            // The message still comes back, after the queue's own visibility timeout.
            tracing::warn!(%error, "could not hold a failed message back for its retry delay");
        }
        (message_id, outcome)
    });
    let outcomes = futures::future::join_all(jobs).await;
    BatchResponse {
        batch_item_failures: outcomes
            .into_iter()
            .filter(|(_, outcome)| matches!(outcome, Outcome::Retry { .. }))
            .map(|(item_identifier, _)| BatchItemFailure { item_identifier })
            .collect(),
    }
}

/// EventBridge `rate(1 hour)` → the scheduled poll, run directly (nothing to redeliver:
/// the next tick is the retry).
async fn handle_schedule(
    handler: &dyn JobHandler,
    event: &EventBridgeEvent,
) -> Result<(), lambda_runtime::Error> {
    if event.detail_type != "Scheduled Event" {
        return Err(UnsupportedEvent(format!("detail-type {:?}", event.detail_type)).into());
    }
    let once = Attempt {
        receive_count: 1,
        max_receives: 1,
        deadline: None,
    };
    match process_one(handler, &Job::ScheduledPoll.to_body(), once).await {
        Outcome::Ack => Ok(()),
        Outcome::Retry { .. } => Err("scheduled poll did not finish; the next tick retries".into()),
    }
}
