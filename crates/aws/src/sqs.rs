//! The queue port on SQS. The main queue's redrive policy moves a message to the dead-letter
//! queue after `max_receives` deliveries; this adapter only needs to know the number.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::{
    Client,
    error::SdkError,
    types::{MessageSystemAttributeName, QueueAttributeName},
};
use expedite_core::queue::{Queue, QueueDepth, QueueError, Receipt, Received};

/// SQS's own bounds.
const MAX_BATCH: usize = 10;
const MAX_WAIT_SECS: u64 = 20;
const MAX_DELAY_SECS: u64 = 900;
const MAX_VISIBILITY_SECS: u64 = 12 * 3600;
/// Long-poll wait per page when draining the dead-letter queue (queries every server).
const DEAD_LETTER_WAIT: Duration = Duration::from_secs(1);

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
            client: crate::calls::client!(aws_sdk_sqs, config),
            queue_url: queue_url.into(),
            dead_letter_url: dead_letter_url.into(),
            max_receives,
        }
    }

    /// The queue pair, with the maximum receives read from the main queue's redrive policy (the
    /// deployment's one source of truth: the template's `MaxReceives`).
    pub async fn from_redrive_policy(
        config: &aws_config::SdkConfig,
        queue_url: impl Into<String>,
        dead_letter_url: impl Into<String>,
    ) -> Result<Self, QueueError> {
        let queue = Self::new(config, queue_url, dead_letter_url, 1);
        let attributes = queue
            .client
            .get_queue_attributes()
            .queue_url(&queue.queue_url)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send()
            .await
            .map_err(unavailable)?;
        let policy = attributes
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
            .ok_or_else(|| {
                QueueError::Unavailable(format!("{} has no redrive policy", queue.queue_url))
            })?;
        let max_receives = max_receive_count(policy).ok_or_else(|| {
            QueueError::Unavailable(format!("unreadable redrive policy: {policy}"))
        })?;
        Ok(Self {
            max_receives,
            ..queue
        })
    }

    async fn receive_from(
        &self,
        url: &str,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> Result<Vec<(String, Received)>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(url)
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
                let received = Received {
                    receipt: Receipt(message.receipt_handle()?.to_owned()),
                    body: message.body().unwrap_or_default().to_owned(),
                    receive_count,
                };
                Some((message.message_id()?.to_owned(), received))
            })
            .collect())
    }

    async fn delete_from(&self, url: &str, receipt: &Receipt) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(url)
            .receipt_handle(&receipt.0)
            .send()
            .await
            .map_err(|error| match error.as_service_error() {
                Some(e) if e.is_receipt_handle_is_invalid() => QueueError::StaleReceipt,
                _ => unavailable(error),
            })?;
        Ok(())
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
        let page = self
            .receive_from(&self.queue_url, max, visibility, wait)
            .await?;
        Ok(page.into_iter().map(|(_, message)| message).collect())
    }

    async fn ack(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.delete_from(&self.queue_url, receipt).await
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

    async fn receive_dead_letters(
        &self,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<Received>, QueueError> {
        // One receive returns at most 10 and samples servers: long-poll page after page, until a
        // page brings nothing new (with a short visibility a message can come back at once).
        // Paging needs each page hidden from the next, so for at least a second.
        let visibility = visibility.max(Duration::from_secs(1));
        let mut seen = std::collections::HashSet::new();
        let mut taken = Vec::new();
        while taken.len() < max {
            let page = self
                .receive_from(
                    &self.dead_letter_url,
                    max - taken.len(),
                    visibility,
                    DEAD_LETTER_WAIT,
                )
                .await?;
            let before = taken.len();
            for (id, message) in page {
                if seen.insert(id) {
                    taken.push(message);
                }
            }
            if taken.len() == before {
                break;
            }
        }
        Ok(taken)
    }

    async fn ack_dead_letter(&self, receipt: &Receipt) -> Result<(), QueueError> {
        self.delete_from(&self.dead_letter_url, receipt).await
    }

    async fn depth(&self) -> Result<QueueDepth, QueueError> {
        use QueueAttributeName::{
            ApproximateNumberOfMessages, ApproximateNumberOfMessagesDelayed,
            ApproximateNumberOfMessagesNotVisible,
        };
        let live = self
            .counts(
                &self.queue_url,
                &[
                    ApproximateNumberOfMessages,
                    ApproximateNumberOfMessagesNotVisible,
                    ApproximateNumberOfMessagesDelayed,
                ],
            )
            .await?;
        let dead = self
            .counts(&self.dead_letter_url, &[ApproximateNumberOfMessages])
            .await?;
        Ok(QueueDepth {
            waiting: live[0],
            in_flight: live[1] + live[2],
            dead_letters: dead[0],
            oldest_age: None,
        })
    }

    fn max_receives(&self) -> u32 {
        self.max_receives
    }

    fn backend_name(&self) -> &'static str {
        "SQS"
    }
}

impl SqsQueue {
    /// The queue's `names` attributes as numbers, in order (0 for one SQS leaves out).
    async fn counts(
        &self,
        url: &str,
        names: &[QueueAttributeName],
    ) -> Result<Vec<u64>, QueueError> {
        let output = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .set_attribute_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(unavailable)?;
        let attributes = output.attributes();
        Ok(names
            .iter()
            .map(|name| {
                attributes
                    .and_then(|a| a.get(name))
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(0)
            })
            .collect())
    }
}

/// `maxReceiveCount` of a redrive policy (`{"deadLetterTargetArn": …, "maxReceiveCount": 5}`;
/// SQS has written the count both as a number and as a string).
fn max_receive_count(policy: &str) -> Option<u32> {
    let policy: serde_json::Value = serde_json::from_str(policy).ok()?;
    let count = &policy["maxReceiveCount"];
    count
        .as_u64()
        .or_else(|| count.as_str()?.parse().ok())
        .and_then(|count| u32::try_from(count).ok())
        .filter(|count| *count > 0)
}

#[cfg(test)]
mod tests {
    use super::max_receive_count;

    #[test]
    fn redrive_policies_give_their_receive_count() {
        assert_eq!(
            max_receive_count(
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":5}"#
            ),
            Some(5)
        );
        assert_eq!(max_receive_count(r#"{"maxReceiveCount":"3"}"#), Some(3));
        assert_eq!(max_receive_count(r#"{"maxReceiveCount":0}"#), None);
        assert_eq!(max_receive_count("not json"), None);
    }
}
