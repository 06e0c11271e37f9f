//! The AI-query use-cases: ask, read, list, and the job that answers.

use expedite_domain::{AiQuery, Page, PageRequest, Prompt, PromptError, QueryId};

use crate::{
    Services,
    ai::{self, AgentError, AgentLimits, ModelError},
    clock,
    identity::Caller,
    intake::IntakeError,
    jobs::{Attempt, JobError},
    metrics,
    store::{NewQuery, StoreError},
};

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// Why a query use-case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    InvalidPrompt(#[from] PromptError),
    #[error("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")]
    InvalidIdempotencyKey,
    /// Missing, or someone else's (which must look the same).
    #[error("There is no query with this id.")]
    NotFound,
    #[error("The question could not be queued right now; please try again.")]
    NotQueued,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Services {
    /// Records a question and queues it for the worker. A reused `idempotency_key` (same user,
    /// within a day) returns the first query instead of asking again.
    pub async fn submit_query(
        &self,
        caller: &Caller,
        prompt: &str,
        idempotency_key: Option<&str>,
    ) -> Result<AiQuery, QueryError> {
        let prompt = Prompt::parse(prompt)?;
        let idempotency_key = match idempotency_key {
            None => None,
            Some(key)
                if !key.is_empty()
                    && key.len() <= MAX_IDEMPOTENCY_KEY
                    && key.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Some(key.to_owned())
            }
            Some(_) => return Err(QueryError::InvalidIdempotencyKey),
        };
        let new = NewQuery {
            id: QueryId::parse(uuid::Uuid::new_v4().to_string()).expect("a uuid is a query id"),
            owner: caller.user_id.clone(),
            prompt,
            idempotency_key,
            now: self.now(),
        };
        match self.intake().submit_query(new).await {
            Ok(created) => {
                if created.is_new() {
                    metrics::query("submitted");
                }
                let query = created.into_inner();
                tracing::info!(query.id = %query.id, "query submitted");
                Ok(query)
            }
            Err(IntakeError::Store(error)) => Err(error.into()),
            // The query may be saved without its job: it stays QUEUED, and a retry with the
            // same key (or the sweep) queues it.
            Err(IntakeError::Queue(error)) => {
                tracing::error!(%error, "could not queue a new query");
                Err(QueryError::NotQueued)
            }
        }
    }

    /// One query: the caller's own, or any for administrators.
    pub async fn query(&self, caller: &Caller, id: &str) -> Result<AiQuery, QueryError> {
        let id = QueryId::parse(id).map_err(|_| QueryError::NotFound)?;
        match self.store().get_query(&id).await? {
            Some(query) if query.owner == caller.user_id || caller.is_admin() => Ok(query),
            _ => Err(QueryError::NotFound),
        }
    }

    /// The caller's queries, newest first.
    pub async fn query_history(
        &self,
        caller: &Caller,
        page: &PageRequest,
    ) -> Result<Page<AiQuery>, QueryError> {
        Ok(self.store().list_queries(&caller.user_id, page).await?)
    }

    /// The AI-query job: claims the query, answers it, and records the outcome.
    ///
    /// Retry budget: the model client retries a failed call itself (bounded, honouring
    /// `Retry-After`); when that is used up the job is redelivered later, at most the queue's
    /// maximum receive count in all; the last delivery records FAILED. A claimed query that
    /// outlives [`ai::AiSettings::answer_timeout`] is abandoned the same way, so none stays
    /// RUNNING past the message's visibility timeout.
    pub(crate) async fn run_query(&self, id: &str, attempt: Attempt) -> Result<(), JobError> {
        let id =
            QueryId::parse(id).map_err(|_| JobError::Permanent(format!("bad query id {id:?}")))?;
        let store = self.store();
        let Some(query) = store.get_query(&id).await? else {
            return Err(JobError::Permanent("the query does not exist".to_owned()));
        };
        if query.status.is_terminal() {
            return Ok(());
        }
        let settings = &self.config().ai;
        // A RUNNING query is held by a live delivery until its answer timeout has passed; only
        // then is its worker taken for dead and the query claimed again.
        let now = self.now();
        let stale_before = clock::before(now, settings.answer_timeout);
        let Some(claimed) = store
            .start_query(&id, query.attempts, now, stale_before)
            .await?
        else {
            tracing::info!("another delivery holds, claimed or finished the query");
            return Ok(());
        };
        let answered = tokio::time::timeout(
            settings.answer_timeout,
            ai::answer(
                self.model().as_ref(),
                store.as_ref(),
                &claimed.prompt,
                AgentLimits::default(),
            ),
        )
        .await;
        let failure = match answered {
            Ok(Ok(answer)) => {
                let stored = store
                    .complete_query(&id, claimed.attempts, &answer, self.now())
                    .await?;
                if stored {
                    metrics::query("completed");
                } else {
                    tracing::warn!("the query was claimed by a later delivery; answer dropped");
                }
                return Ok(());
            }
            Ok(Err(AgentError::Model(ModelError::Fatal(message)))) => {
                return self.fail(&claimed, &message).await;
            }
            Ok(Err(AgentError::Model(ModelError::Retryable {
                message,
                retry_after,
            }))) => (message, retry_after),
            Ok(Err(AgentError::Store(error))) => (
                format!("the customer data could not be read: {error}"),
                None,
            ),
            Err(_) => (
                format!("no answer within {} s", settings.answer_timeout.as_secs()),
                None,
            ),
        };
        let (message, retry_after) = failure;
        if attempt.is_last() {
            let reason = format!(
                "The AI provider could not answer after {} attempts ({message}). Please ask again later.",
                attempt.receive_count
            );
            return self.fail(&claimed, &reason).await;
        }
        // Later deliveries wait longer (base, 2×, 4×…) unless the provider asked for more.
        let backoff =
            settings.retry_base * (1 << attempt.receive_count.clamp(1, 6).saturating_sub(1));
        let delay = retry_after.map_or(backoff, |after| after.max(backoff));
        // Waiting is not running: the query shows QUEUED with why and until when.
        let now = self.now();
        let requeued = store
            .requeue_query(
                &id,
                claimed.attempts,
                &message,
                clock::after(now, delay),
                now,
            )
            .await?;
        if !requeued {
            tracing::warn!("the query was claimed by a later delivery while this one failed");
        }
        Err(JobError::Transient {
            message,
            retry_after: Some(delay),
        })
    }

    async fn fail(&self, query: &AiQuery, reason: &str) -> Result<(), JobError> {
        self.store()
            .fail_query(&query.id, Some(query.attempts), reason, self.now())
            .await?;
        metrics::query("failed");
        Err(JobError::Permanent(reason.to_owned()))
    }
}
