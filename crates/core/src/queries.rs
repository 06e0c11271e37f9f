//! The AI-query use-cases: ask, read, list, and the job that answers.

use std::time::Duration;

use expedite_domain::{AiQuery, Page, PageRequest, Prompt, PromptError, QueryId, Role};

use crate::{
    Services,
    ai::{self, AgentError, AgentLimits, ModelError},
    clock,
    identity::Caller,
    jobs::{Attempt, Job, JobError},
    store::{Created, NewQuery, StoreError},
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
            now: clock::now(),
        };
        let query = match self.store().create_query(new).await? {
            Created::Existing(query) => return Ok(query),
            Created::New(query) => query,
        };
        let job = Job::AiQuery {
            query_id: query.id.to_string(),
        };
        if let Err(error) = self.queue().send(&job.to_body(), Duration::ZERO).await {
            tracing::error!(%error, query.id = %query.id, "could not queue a new query");
            let reason = "The question could not be queued. Please ask again.";
            self.store()
                .fail_query(&query.id, None, reason, clock::now())
                .await?;
            return Err(QueryError::NotQueued);
        }
        tracing::info!(query.id = %query.id, "query submitted");
        Ok(query)
    }

    /// One query: the caller's own, or any for administrators.
    pub async fn query(&self, caller: &Caller, id: &str) -> Result<AiQuery, QueryError> {
        let id = QueryId::parse(id).map_err(|_| QueryError::NotFound)?;
        match self.store().get_query(&id).await? {
            Some(query) if query.owner == caller.user_id || caller.role == Role::Admin => Ok(query),
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
        let Some(query) = store.get_query(&id).await.map_err(transient)? else {
            return Err(JobError::Permanent("the query does not exist".to_owned()));
        };
        if query.status.is_terminal() {
            return Ok(());
        }
        let Some(claimed) = store
            .start_query(&id, query.attempts, clock::now())
            .await
            .map_err(transient)?
        else {
            tracing::info!("another delivery claimed or finished the query");
            return Ok(());
        };
        let settings = &self.config().ai;
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
                    .complete_query(&id, claimed.attempts, &answer, clock::now())
                    .await
                    .map_err(transient)?;
                if !stored {
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
        Err(JobError::Transient {
            message,
            retry_after: Some(retry_after.map_or(backoff, |after| after.max(backoff))),
        })
    }

    /// Marks FAILED the queries whose job reached the dead-letter queue: a worker died during
    /// their last delivery, so nothing else will ever finish them. Run with the scheduled poll.
    pub(crate) async fn fail_dead_lettered_queries(&self) {
        let bodies = match self.queue().dead_letters().await {
            Ok(bodies) => bodies,
            Err(error) => {
                tracing::warn!(%error, "could not read the dead-letter queue");
                return;
            }
        };
        for body in bodies {
            let Ok(Job::AiQuery { query_id }) = serde_json::from_str::<Job>(&body) else {
                continue;
            };
            let Ok(id) = QueryId::parse(query_id) else {
                continue;
            };
            let reason = "The worker stopped while answering this question. Please ask again.";
            match self
                .store()
                .fail_query(&id, None, reason, clock::now())
                .await
            {
                Ok(true) => tracing::warn!(query.id = %id, "dead-lettered query marked FAILED"),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, query.id = %id, "could not fail a dead-lettered query")
                }
            }
        }
    }

    async fn fail(&self, query: &AiQuery, reason: &str) -> Result<(), JobError> {
        self.store()
            .fail_query(&query.id, Some(query.attempts), reason, clock::now())
            .await
            .map_err(transient)?;
        Err(JobError::Permanent(reason.to_owned()))
    }
}

fn transient(error: StoreError) -> JobError {
    JobError::Transient {
        message: error.to_string(),
        retry_after: None,
    }
}
