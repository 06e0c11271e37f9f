//! The queue port on SQS. The main queue's redrive policy moves a message to the dead-letter
//! queue after `max_receives` deliveries; this adapter only needs to know the number.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::{Client, error::SdkError, types::MessageSystemAttributeName};
use expedite_core::queue::{Queue, QueueError, Receipt, Received};

/// SQS's own bounds.
const MAX_BATCH: usize = 10;
const MAX_WAIT_SECS: u64 = 20;
const MAX_DELAY_SECS: u64 = 900;
const MAX_VISIBILITY_SECS: u64 = 12 * 3600;

/// A queue and its dead-letter queue, by URL.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
    dead_letter_url: String,
    max_receives: u32,
}

impl SqsQueue {
    pub fn new(
        config: &aws_config::SdkConfig,
        queue_url: impl Into<String>,
        dead_letter_url: impl Into<String>,
        max_receives: u32,
    ) -> Self {
        Self {
            client: Client::new(config),
            queue_url: queue_url.into(),
            dead_letter_url: dead_letter_url.into(),
            max_receives,
        }
    }
}

fn whole_secs(duration: Duration, max: u64) -> i32 {
    // SQS counts in whole seconds; round up so a job is never visible earlier than asked.
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i32::try_from(secs.min(max)).unwrap_or(i32::MAX)
}

fn unavailable<E, R>(error: SdkError<E, R>) -> QueueError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    QueueError::Unavailable(format!(
        "{}",
        aws_sdk_sqs::error::DisplayErrorContext(&error)
    ))
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, body: &str, delay: Duration) -> Result<(), QueueError> {
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(whole_secs(delay, MAX_DELAY_SECS))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(i32::try_from(max.clamp(1, MAX_BATCH)).unwrap_or(1))
            .visibility_timeout(whole_secs(visibility, MAX_VISIBILITY_SECS))
            .wait_time_seconds(i32::try_from(wait.as_secs().min(MAX_WAIT_SECS)).unwrap_or(0))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output
            .messages()
            .iter()
            .filter_map(|message| {
                let receive_count = message
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|count| count.parse().ok())
                    .unwrap_or(1);
                Some(Received {
                    receipt: Receipt(message.receipt_handle()?.to_owned()),
                    body: message.body().unwrap_or_default().to_owned(),
                    receive_count,
                })
            })
            .collect())
    }

    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(&receipt.0)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(e) if e.is_receipt_handle_is_invalid() => QueueError::StaleReceipt,
                _ => unavailable(error),
            })?;
        Ok(())
    }

    async fn extend(&self, receipt: &Receipt, visibility: Duration) -> Result<(), QueueError> {
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(&receipt.0)
            .visibility_timeout(whole_secs(visibility, MAX_VISIBILITY_SECS))
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(e) if e.is_receipt_handle_is_invalid() || e.is_message_not_inflight() => {
                    QueueError::StaleReceipt
                }
                _ => unavailable(error),
            })?;
        Ok(())
    }

    /// Peeks at the dead-letter queue: received with a zero visibility timeout, so nothing moves.
    async fn dead_letters(&self) -> Result<Vec<String>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.dead_letter_url)
            .max_number_of_messages(i32::try_from(MAX_BATCH).unwrap_or(10))
            .visibility_timeout(0)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output
            .messages()
            .iter()
            .filter_map(|m| m.body().map(str::to_owned))
            .collect())
    }

    fn max_receives(&self) -> u32 {
        self.max_receives
    }

    fn backend_name(&self) -> &'static str {
        "SQS"
    }
}
