//! The self-hosted worker: a loop over the queue and a timer for the scheduled poll.
//!
//! The loop only receives, calls [`process_one`] and acknowledges; every decision about a job
//! is in the step. Up to `concurrency` jobs run at once (model calls mostly wait on the
//! network). Queue failures back off exponentially up to a bound, never spin.

use std::{sync::Arc, time::Duration};

use expedite_core::{
    Services,
    jobs::{Attempt, Job, JobHandler, Outcome, process_one},
    ops,
    queue::{Queue, Received},
};
use tokio::{sync::Semaphore, task::JoinSet};
use tokio_util::sync::CancellationToken;

/// How the loop polls the queue.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Most messages taken per receive.
    pub batch: usize,
    /// Jobs run at once; the loop receives only when one of these slots is free.
    pub concurrency: usize,
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
            concurrency: 16,
            visibility: Duration::from_secs(300),
            wait: Duration::from_secs(20),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Runs jobs from `queue` until `shutdown` is cancelled; jobs in hand are finished first.
pub async fn run_queue(
    handler: Arc<dyn JobHandler>,
    queue: Arc<dyn Queue>,
    options: LoopOptions,
    shutdown: CancellationToken,
) {
    tracing::info!(
        queue = queue.backend_name(),
        concurrency = options.concurrency,
        "worker loop started"
    );
    let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut running = JoinSet::new();
    let mut backoff = Duration::from_millis(100);
    loop {
        // Wait for at least one free slot, then take as many messages as there are free slots.
        let first = tokio::select! {
            () = shutdown.cancelled() => break,
            permit = Arc::clone(&slots).acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let free = 1 + slots.available_permits();
        while running.try_join_next().is_some() {}
        let received = tokio::select! {
            () = shutdown.cancelled() => break,
            received = queue.receive(options.batch.min(free), options.visibility, options.wait) => received,
        };
        match received {
            Ok(messages) => {
                backoff = Duration::from_millis(100);
                let mut first = Some(first);
                for message in messages {
                    let permit = match first.take() {
                        Some(permit) => permit,
                        None => Arc::clone(&slots)
                            .acquire_owned()
                            .await
                            .expect("the semaphore is never closed"),
                    };
                    let handler = Arc::clone(&handler);
                    let queue = Arc::clone(&queue);
                    running.spawn(async move {
                        run_message(handler.as_ref(), queue.as_ref(), message).await;
                        drop(permit);
                    });
                }
            }
            Err(error) => {
                drop(first);
                tracing::error!(%error, backoff_ms = backoff.as_millis(), "queue receive failed");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(options.max_backoff);
            }
        }
    }
    if !running.is_empty() {
        tracing::info!(jobs = running.len(), "waiting for the jobs in hand");
    }
    while running.join_next().await.is_some() {}
    tracing::info!("worker loop stopped");
}

async fn run_message(handler: &dyn JobHandler, queue: &dyn Queue, message: Received) {
    let attempt = Attempt {
        receive_count: message.receive_count,
        max_receives: queue.max_receives(),
        deadline: None,
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

/// Enqueues the scheduled poll every `interval` until `shutdown`, the first one at start (so a
/// fresh process syncs at once, and a restarted one catches up).
pub async fn run_schedule(queue: Arc<dyn Queue>, interval: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(interval);
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

/// How often a long-running process adds its counts to the per-hour rollups.
pub const OPS_FLUSH_INTERVAL: Duration = Duration::from_secs(10);

/// Flushes the process's operations tally into the store every `interval` (sampling the
/// queue's depth each time, so the hour keeps its high), and once more at `shutdown`.
pub async fn run_ops_flush(services: Services, interval: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = ticks.tick() => {
                if let Ok(depth) = services.queue().depth().await {
                    expedite_core::metrics::queue_depth(depth.waiting, depth.dead_letters, depth.oldest_age);
                }
                ops::flush(services.store().as_ref(), services.now()).await;
            }
        }
    }
    ops::flush(services.store().as_ref(), services.now()).await;
}
