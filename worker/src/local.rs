//! The self-hosted worker: a loop over the queue and a timer for the scheduled poll.
//!
//! The loop only receives, calls [`process_one`] and acknowledges; every decision about a job
//! is in the step. Queue failures back off exponentially up to a bound, never spin.

use std::{sync::Arc, time::Duration};

use expedite_core::{
    jobs::{Attempt, Job, JobHandler, Outcome, process_one},
    queue::{Queue, Received},
};
use tokio_util::sync::CancellationToken;

/// How the loop polls the queue.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Messages taken per receive; processed one after another.
    pub batch: usize,
    /// How long a received message stays hidden from other consumers.
    pub visibility: Duration,
    /// Long-poll wait per receive; the embedded queue wakes early when a job is sent.
    pub wait: Duration,
    /// Upper bound of the back-off after queue errors.
    pub max_backoff: Duration,
}

impl Default for LoopOptions {
    fn default() -> Self {
        Self {
            batch: 10,
            visibility: Duration::from_secs(300),
            wait: Duration::from_secs(20),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Runs jobs from `queue` until `shutdown` is cancelled; the batch in hand is finished first.
pub async fn run_queue(
    handler: Arc<dyn JobHandler>,
    queue: Arc<dyn Queue>,
    options: LoopOptions,
    shutdown: CancellationToken,
) {
    tracing::info!(queue = queue.backend_name(), "worker loop started");
    let mut backoff = Duration::from_millis(100);
    loop {
        let received = tokio::select! {
            () = shutdown.cancelled() => break,
            received = queue.receive(options.batch, options.visibility, options.wait) => received,
        };
        match received {
            Ok(messages) => {
                backoff = Duration::from_millis(100);
                for message in messages {
                    run_message(handler.as_ref(), queue.as_ref(), message).await;
                }
            }
            Err(error) => {
                tracing::error!(%error, backoff_ms = backoff.as_millis(), "queue receive failed");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(options.max_backoff);
            }
        }
    }
    tracing::info!("worker loop stopped");
}

async fn run_message(handler: &dyn JobHandler, queue: &dyn Queue, message: Received) {
    let attempt = Attempt {
        receive_count: message.receive_count,
        max_receives: queue.max_receives(),
    };
    let result = match process_one(handler, &message.body, attempt).await {
        Outcome::Ack => queue.ack(&message.receipt).await,
        // Without a delay the visibility timeout decides when the message comes back.
        Outcome::Retry { delay: None } => Ok(()),
        Outcome::Retry { delay: Some(delay) } => queue.extend(&message.receipt, delay).await,
    };
    if let Err(error) = result {
        // The message reappears after its visibility timeout; the job step is idempotent.
        tracing::warn!(%error, "could not settle message; it will be redelivered");
    }
}

/// Enqueues the scheduled poll every `interval` until `shutdown`; the first one after one interval.
pub async fn run_schedule(queue: Arc<dyn Queue>, interval: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = ticks.tick() => {
                if let Err(error) = queue.send(&Job::ScheduledPoll.to_body(), Duration::ZERO).await {
                    tracing::error!(%error, "could not enqueue the scheduled poll; the next tick will try again");
                }
            }
        }
    }
}
