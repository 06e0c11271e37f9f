//! The sweeps that keep every job moving: work left QUEUED without a job is queued again, and
//! queries whose job was dead-lettered are failed. Run at start-up and with every scheduled poll.

use expedite_domain::{Limit, PageRequest, QueryId, SyncStatus};

use crate::{
    Services, clock,
    intake::{query_job, sync_job},
    jobs::Job,
};

/// At most this many stranded queries are queued again per sweep; the next sweep takes the rest.
const SWEEP_LIMIT: u32 = 500;

/// What one sweep queued again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub queries: u32,
    pub sync_runs: u32,
}

impl Services {
    /// Queues again the queries and sync runs still QUEUED [`Config::requeue_after`]
    /// (crate::Config) after they were due: their job was lost between save and send (a
    /// crash, a queue outage). Where the backend can tell, work whose job is still waiting or
    /// in flight is left alone; elsewhere the duplicate is harmless (see [`crate::intake`]).
    pub async fn requeue_stranded(&self) -> Swept {
        let before = clock::before(self.now(), self.config().requeue_after);
        let mut swept = Swept::default();
        match self.store().queued_queries(before, SWEEP_LIMIT).await {
            Ok(queries) => {
                for query in queries {
                    if self.requeue(&query_job(&query)).await {
                        tracing::warn!(query.id = %query.id, "stranded query queued again");
                        swept.queries += 1;
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "could not read the queued queries"),
        }
        // Runs are few and newest first: the latest page holds any that are stranded.
        let page = PageRequest {
            cursor: None,
            limit: Limit::parse(Some(Limit::MAX)).expect("the maximum is a valid limit"),
        };
        match self.store().list_sync_runs(&page).await {
            Ok(runs) => {
                for run in runs
                    .items
                    .iter()
                    .filter(|run| run.status == SyncStatus::Queued && run.updated_at < before)
                {
                    if self.requeue(&sync_job(run)).await {
                        tracing::warn!(sync.id = %run.id, "stranded sync run queued again");
                        swept.sync_runs += 1;
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "could not read the sync runs"),
        }
        tracing::info!(
            queries = swept.queries,
            sync_runs = swept.sync_runs,
            "sweep of stranded work done"
        );
        swept
    }

    async fn requeue(&self, job: &Job) -> bool {
        match self.intake().requeue(job).await {
            Ok(sent) => sent,
            Err(error) => {
                tracing::warn!(%error, job.id = job.subject(), "could not queue stranded work");
                false
            }
        }
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
            match self.store().fail_query(&id, None, reason, self.now()).await {
                Ok(true) => tracing::warn!(query.id = %id, "dead-lettered query marked FAILED"),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, query.id = %id, "could not fail a dead-lettered query")
                }
            }
        }
    }
}
