//! The job queue port: SQS on AWS, a durable table in the embedded database locally.

use std::time::Duration;

use async_trait::async_trait;

/// Identifies one delivery of a message; needed to acknowledge or extend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt(pub String);

/// A message handed to a consumer.
#[derive(Debug, Clone)]
pub struct Received {
    pub receipt: Receipt,
    pub body: String,
    /// 1 on the first delivery.
    pub receive_count: u32,
}

/// What a queue holds at one moment (approximate on SQS, as SQS counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Ready to be received now.
    pub waiting: u64,
    /// Received and not yet acknowledged, or sent with a delay not yet over.
    pub in_flight: u64,
    /// In the dead-letter queue.
    pub dead_letters: u64,
    /// Since the oldest live message was sent, where the backend can tell (SQS reports it
    /// only as the CloudWatch metric `ApproximateAgeOfOldestMessage`).
    pub oldest_age: Option<Duration>,
}

/// Failures of the queue itself (not of the job).
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue unavailable: {0}")]
    Unavailable(String),
    #[error("receipt is no longer valid")]
    StaleReceipt,
}

/// A durable at-least-once queue with visibility timeouts and dead-lettering.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Enqueues `body`, visible to consumers after `delay`.
    async fn send(&self, body: &str, delay: Duration) -> Result<(), QueueError>;

    /// Waits up to `wait` for messages and returns up to `max` of them, each hidden from other
    /// consumers for `visibility`. A message received more than [`Queue::max_receives`] times
    /// is moved to the dead-letter queue instead of being returned.
    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>, QueueError>;

    /// Deletes a processed message.
    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError>;

    /// Keeps a message hidden for `visibility` from now (a long job's heartbeat, or a retry delay).
    async fn extend(&self, receipt: &Receipt, visibility: Duration) -> Result<(), QueueError>;

    /// Takes up to `max` messages from the dead-letter queue, each hidden from other sweeps for
    /// `visibility` while the caller handles it. Where the backend samples its servers (SQS), it
    /// long-polls page after page, so a non-empty queue never answers empty; paging hides each
    /// message for at least a second there, whatever `visibility` says.
    async fn receive_dead_letters(
        &self,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<Received>, QueueError>;

    /// Removes a dead letter the caller has handled.
    async fn ack_dead_letter(&self, receipt: &Receipt) -> Result<(), QueueError>;

    /// How many messages wait, are in flight and are dead-lettered.
    async fn depth(&self) -> Result<QueueDepth, QueueError>;

    /// Deliveries after which a message is dead-lettered.
    fn max_receives(&self) -> u32;

    /// A short name for logs and the dashboard.
    fn backend_name(&self) -> &'static str;
}
