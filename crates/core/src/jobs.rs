//! Background jobs: what a queue message means and the one step that processes it.
//!
//! Messages carry ids, never state: the store is the truth, so a redelivered message is
//! harmless. [`process_one`] is what the local loop and the Lambda handler both call.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// One unit of background work, as serialised on the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Answer the AI query with this id.
    AiQuery { query_id: String },
    /// Run the Salesforce sync recorded under this id (manual: pull and push; scheduled:
    /// pull). `step` counts the run's continuations: 0 for the first message, n for the one
    /// queued when the run paused for the n-th time (see [`crate::sync::SyncEngine`]).
    SalesforceSync {
        sync_id: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        step: u32,
    },
    /// The hourly incremental poll (EventBridge on AWS, a timer locally).
    ScheduledPoll,
}

impl Job {
    /// The queue message body for this job.
    pub fn to_body(&self) -> String {
        serde_json::to_string(self).expect("a job always serialises")
    }

    /// The id a log line should carry for this job.
    pub fn subject(&self) -> &str {
        match self {
            Self::AiQuery { query_id } => query_id,
            Self::SalesforceSync { sync_id, .. } => sync_id,
            Self::ScheduledPoll => "scheduled",
        }
    }
}

fn is_zero(step: &u32) -> bool {
    *step == 0
}

/// One delivery of a message: how often it has been delivered, so a handler knows when it has
/// the last try, and by when the work must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// 1 on the first delivery.
    pub receive_count: u32,
    /// After this many deliveries the queue moves the message to the dead-letter queue.
    pub max_receives: u32,
    /// When the delivery's time is up (a Lambda invocation's deadline, less a margin). Work
    /// that can pause (a sync) saves its place and continues in another message before then;
    /// `None` when self-hosted, where a job may take as long as it needs.
    pub deadline: Option<Instant>,
}

impl Attempt {
    pub fn is_last(self) -> bool {
        self.receive_count >= self.max_receives
    }
}

/// Why a handler did not finish a job.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another delivery (a timeout, a 5xx, a lost lease); `retry_after` when known.
    #[error("transient: {message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Will never succeed; the handler has recorded the failure where users can see it.
    #[error("permanent: {0}")]
    Permanent(String),
}

impl JobError {
    /// Worth another delivery because of `cause`, with no known wait.
    pub fn transient(cause: impl std::fmt::Display) -> Self {
        Self::Transient {
            message: cause.to_string(),
            retry_after: None,
        }
    }
}

/// A store that did not answer: the job is tried again on a later delivery.
impl From<crate::store::StoreError> for JobError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::transient(error)
    }
}

/// What to do with the message after one processing step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done (or failed for good and recorded): delete the message.
    Ack,
    /// Leave the message for redelivery, after `delay` if given; the queue dead-letters it
    /// after its maximum receive count, so nothing is lost.
    Retry { delay: Option<Duration> },
}

/// Runs one job. Implemented by the application's use-cases; tests use recording doubles.
#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn handle(&self, job: &Job, attempt: Attempt) -> Result<(), JobError>;
}

/// Parses a message body and runs it through `handler`, turning the result into an [`Outcome`].
///
/// A body that is not a job is kept (Retry) so that it reaches the dead-letter queue for
/// inspection instead of vanishing.
#[tracing::instrument(skip_all, fields(job.kind, job.id, attempt = attempt.receive_count))]
pub async fn process_one(handler: &dyn JobHandler, body: &str, attempt: Attempt) -> Outcome {
    let job: Job = match serde_json::from_str(body) {
        Ok(job) => job,
        Err(error) => {
            tracing::error!(%error, body.len = body.len(), "message is not a job; leaving it for the dead-letter queue");
            return Outcome::Retry { delay: None };
        }
    };
    let span = tracing::Span::current();
    span.record("job.kind", job_kind(&job));
    span.record("job.id", job.subject());

    let kind = job_kind(&job);
    match handler.handle(&job, attempt).await {
        Ok(()) => {
            tracing::info!("job finished");
            crate::metrics::job(kind, "done");
            Outcome::Ack
        }
        Err(JobError::Permanent(message)) => {
            tracing::warn!(%message, "job failed for good");
            crate::metrics::job(kind, "failed");
            Outcome::Ack
        }
        Err(JobError::Transient {
            message,
            retry_after,
        }) => {
            tracing::warn!(%message, last = attempt.is_last(), "job will be retried");
            crate::metrics::job(kind, "retry");
            Outcome::Retry { delay: retry_after }
        }
    }
}

pub(crate) fn job_kind(job: &Job) -> &'static str {
    match job {
        Job::AiQuery { .. } => "ai_query",
        Job::SalesforceSync { .. } => "salesforce_sync",
        Job::ScheduledPoll => "scheduled_poll",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    struct Scripted(Mutex<Vec<Result<(), JobError>>>, Mutex<Vec<Job>>);

    #[async_trait]
    impl JobHandler for Scripted {
        async fn handle(&self, job: &Job, _: Attempt) -> Result<(), JobError> {
            self.1.lock().unwrap().push(job.clone());
            self.0.lock().unwrap().remove(0)
        }
    }

    const FIRST: Attempt = Attempt {
        receive_count: 1,
        max_receives: 3,
        deadline: None,
    };

    #[test]
    fn jobs_round_trip_through_the_wire_format() {
        let job = Job::AiQuery {
            query_id: "q1".into(),
        };
        assert_eq!(job.to_body(), r#"{"kind":"ai_query","query_id":"q1"}"#);
        assert_eq!(serde_json::from_str::<Job>(&job.to_body()).unwrap(), job);
        assert_eq!(Job::ScheduledPoll.to_body(), r#"{"kind":"scheduled_poll"}"#);
        let first = Job::SalesforceSync {
            sync_id: "s1".into(),
            step: 0,
        };
        // The first message of a run reads as it did before runs could continue.
        assert_eq!(
            first.to_body(),
            r#"{"kind":"salesforce_sync","sync_id":"s1"}"#
        );
        let third = Job::SalesforceSync {
            sync_id: "s1".into(),
            step: 2,
        };
        assert_eq!(
            third.to_body(),
            r#"{"kind":"salesforce_sync","sync_id":"s1","step":2}"#
        );
        assert_eq!(
            serde_json::from_str::<Job>(&third.to_body()).unwrap(),
            third
        );
    }

    #[tokio::test]
    async fn outcomes_follow_the_handler_result() {
        let handler = Scripted(
            Mutex::new(vec![
                Ok(()),
                Err(JobError::Permanent("bad key".into())),
                Err(JobError::Transient {
                    message: "429".into(),
                    retry_after: Some(Duration::from_secs(2)),
                }),
            ]),
            Mutex::default(),
        );
        let body = Job::ScheduledPoll.to_body();
        assert_eq!(process_one(&handler, &body, FIRST).await, Outcome::Ack);
        assert_eq!(process_one(&handler, &body, FIRST).await, Outcome::Ack);
        assert_eq!(
            process_one(&handler, &body, FIRST).await,
            Outcome::Retry {
                delay: Some(Duration::from_secs(2))
            }
        );
        assert_eq!(handler.1.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn malformed_bodies_are_kept_for_the_dead_letter_queue_without_calling_the_handler() {
        let handler = Scripted(Mutex::default(), Mutex::default());
        for body in ["", "{}", r#"{"kind":"nope"}"#, "not json"] {
            assert_eq!(
                process_one(&handler, body, FIRST).await,
                Outcome::Retry { delay: None }
            );
        }
        assert!(handler.1.lock().unwrap().is_empty());
    }

    #[test]
    fn the_last_attempt_is_known() {
        assert!(!FIRST.is_last());
        let last = Attempt {
            receive_count: 3,
            max_receives: 3,
            deadline: None,
        };
        assert!(last.is_last());
    }
}
