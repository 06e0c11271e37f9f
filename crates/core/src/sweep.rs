//! The sweeps that keep every job moving: work left QUEUED without a job is queued again, and
//! queries whose job was dead-lettered are failed. Run at start-up and with every scheduled poll.

use std::time::Duration;

use expedite_domain::{Limit, PageRequest, QueryId, SyncId, SyncIssue, SyncStatus};

use crate::{
    Services, clock,
    intake::{query_job, sync_job},
    jobs::Job,
};

/// At most this many stranded queries are queued again per sweep; the next sweep takes the rest.
const SWEEP_LIMIT: u32 = 500;

/// Dead letters settled per sweep at most, and per page; the next sweep takes the rest.
const DEAD_LETTER_LIMIT: usize = 1000;
const DEAD_LETTER_PAGE: usize = 100;
/// How long a dead letter in hand stays hidden from another sweep.
const DEAD_LETTER_HOLD: Duration = Duration::from_secs(300);

/// What one sweep queued again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub queries: u32,
    pub sync_runs: u32,
}

impl Services {
    /// Queues again the queries and sync runs still QUEUED
    /// [`Config::requeue_after`](crate::Config::requeue_after) after they were due: their job was lost between save and send (a
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

    /// Settles the dead-letter queue, page by page up to [`DEAD_LETTER_LIMIT`] a sweep: a job
    /// lands there when its worker died on the last delivery, so nothing else will finish its
    /// work. Queries and sync runs still open are FAILED with a message; each handled letter is
    /// removed. A body that is not a job stays for an operator to read.
    pub(crate) async fn settle_dead_letters(&self) -> u32 {
        // Letters taken in hand bound the sweep; only those settled and removed are counted.
        let (mut taken, mut settled) = (0, 0);
        while taken < DEAD_LETTER_LIMIT {
            let page = match self
                .queue()
                .receive_dead_letters(DEAD_LETTER_PAGE, DEAD_LETTER_HOLD)
                .await
            {
                Ok(page) if !page.is_empty() => page,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "could not read the dead-letter queue");
                    break;
                }
            };
            taken += page.len();
            for letter in page {
                let Ok(job) = serde_json::from_str::<Job>(&letter.body) else {
                    continue;
                };
                if !self.settle(&job).await {
                    continue;
                }
                match self.queue().ack_dead_letter(&letter.receipt).await {
                    Ok(()) => {
                        settled += 1;
                        crate::metrics::dead_letter(crate::jobs::job_kind(&job));
                    }
                    Err(error) => tracing::warn!(
                        %error, job.id = job.subject(), "could not remove a dead letter"
                    ),
                }
            }
        }
        if settled > 0 {
            tracing::warn!(settled, "dead-lettered jobs settled");
        }
        settled
    }

    /// Fails what a dead-lettered job leaves open; `true` when done (the letter may go).
    async fn settle(&self, job: &Job) -> bool {
        let now = self.now();
        let result = match job {
            Job::AiQuery { query_id } => {
                let Ok(id) = QueryId::parse(query_id.as_str()) else {
                    return true;
                };
                let reason = "The worker stopped while answering this question. Please ask again.";
                self.store()
                    .fail_query(&id, None, reason, now)
                    .await
                    .map(|failed| {
                        if failed {
                            tracing::warn!(query.id = %id, "dead-lettered query marked FAILED");
                        }
                    })
            }
            Job::SalesforceSync { sync_id, .. } => self.fail_open_run(sync_id).await,
            // The next tick polls again.
            Job::ScheduledPoll => Ok(()),
        };
        match result {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, job.id = job.subject(), "could not settle a dead letter");
                false
            }
        }
    }

    async fn fail_open_run(&self, sync_id: &str) -> Result<(), crate::store::StoreError> {
        let Ok(id) = SyncId::parse(sync_id) else {
            return Ok(());
        };
        let Some(mut run) = self.store().get_sync_run(&id).await? else {
            return Ok(());
        };
        if !matches!(run.status, SyncStatus::Queued | SyncStatus::Running) {
            return Ok(());
        }
        run.status = SyncStatus::Failed;
        run.issues.push(SyncIssue {
            record_id: None,
            code: "WORKER_STOPPED".into(),
            message: "The worker stopped during this run's last attempt; the next run picks up its changes.".into(),
        });
        run.updated_at = self.now();
        tracing::warn!(sync.id = %id, "dead-lettered sync run marked FAILED");
        self.store().put_sync_run(&run).await?;
        crate::metrics::sync_finished(&run);
        Ok(())
    }
}
