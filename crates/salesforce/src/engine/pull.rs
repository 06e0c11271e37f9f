//! Pulling one window: `queryAll` page by page, each page upserted as it arrives and the
//! checkpoint moved past it.

use std::time::Instant;

use expedite_domain::{SyncPosition, Timestamp};

use crate::{
    SalesforceError,
    account::{AccountRow, window_soql},
};

use super::{
    Ending, SalesforceSync, Window,
    progress::{Failure, Progress},
};

/// How one pass over the window ended.
enum Pass {
    Done,
    LimitReached(String),
    /// Out of time for this delivery; the checkpoint holds the place.
    Paused,
    /// The session or the query cursor expired: sign in again and read the window again.
    Restart(SalesforceError),
}

impl SalesforceSync {
    /// Reads the window into the store from the checkpoint on, going on from the checkpoint (a
    /// bounded number of times) when Salesforce drops the session or the query cursor.
    pub(super) async fn pull(
        &self,
        progress: &mut Progress<'_>,
        window: Window,
    ) -> Result<Ending, Failure> {
        let mut restarts = 0;
        loop {
            match self.pull_pass(progress, window).await? {
                Pass::Done => return Ok(Ending::Completed),
                Pass::LimitReached(message) => return Ok(Ending::LimitReached(message)),
                Pass::Paused => return Ok(Ending::Paused),
                Pass::Restart(error) if restarts < self.settings.max_restarts => {
                    restarts += 1;
                    tracing::warn!(%error, restarts, "restarting the sync window");
                    self.client.reauthenticate().await;
                }
                Pass::Restart(error) => return Err(Failure::salesforce(error)),
            }
        }
    }

    async fn pull_pass(
        &self,
        progress: &mut Progress<'_>,
        window: Window,
    ) -> Result<Pass, Failure> {
        let after = progress
            .run
            .checkpoint
            .as_ref()
            .and_then(|c| c.pulled_to.clone());
        let soql = window_soql(window.lower, window.upper, after.as_ref());
        let mut cursor = self
            .client
            .cursor(soql, true, Some(self.settings.batch_size));
        loop {
            if let Some(message) = self.usage_stop() {
                return Ok(Pass::LimitReached(message));
            }
            if progress.out_of_time() {
                return Ok(Pass::Paused);
            }
            let started = Instant::now();
            let rows = match cursor.next_page::<AccountRow>().await {
                Ok(Some(rows)) => rows,
                Ok(None) => return Ok(Pass::Done),
                Err(SalesforceError::RequestLimitExceeded(message)) => {
                    return Ok(Pass::LimitReached(limit_message(&message)));
                }
                Err(
                    error @ (SalesforceError::InvalidSession(_)
                    | SalesforceError::InvalidQueryLocator(_)),
                ) => return Ok(Pass::Restart(error)),
                Err(error) => return Err(Failure::salesforce(error)),
            };
            let last = rows.last().and_then(position);
            let now = self.now();
            let mut customers = Vec::with_capacity(rows.len());
            for row in rows {
                match row.into_customer(now) {
                    Ok(customer) => customers.push(customer),
                    Err(invalid) => {
                        let id = invalid.id.clone();
                        progress.issue(Some(&id), "INVALID_RECORD", invalid.to_string());
                    }
                }
            }
            self.store
                .upsert_customers(&customers)
                .await
                .map_err(Failure::store)?;
            let deleted = customers.iter().filter(|c| c.is_deleted).count();
            progress.run.pulled += count(customers.len());
            progress.run.deleted += count(deleted);
            progress.run.pages += 1;
            // A last row too broken to place: the last good one holds the place instead.
            let reached = last.or_else(|| {
                customers.last().map(|c| SyncPosition {
                    system_modstamp: c.system_modstamp,
                    id: c.id.to_string(),
                })
            });
            if let Some(reached) = reached {
                progress.checkpoint().pulled_to = Some(reached);
            }
            progress.renew_lease(self.settings.lease_ttl).await?;
            progress.save().await?;
            progress.stepped(started.elapsed());
            tracing::debug!(
                records = customers.len(),
                pulled = progress.run.pulled,
                "sync page written"
            );
            if cursor.is_done() {
                return Ok(Pass::Done);
            }
        }
    }

    /// Signs in (or reuses the token) and keeps the org's instance URL on the run, which links
    /// to records are built on; saved with the run's next counts.
    pub(super) async fn note_instance_url(
        &self,
        progress: &mut Progress<'_>,
    ) -> Result<(), Failure> {
        if progress.run.instance_url.is_none() {
            let url = self
                .client
                .instance_url()
                .await
                .map_err(Failure::salesforce)?;
            progress.run.instance_url = Some(url);
        }
        Ok(())
    }

    /// A message when the API usage last reported is at or above the stop threshold.
    pub(super) fn usage_stop(&self) -> Option<String> {
        let usage = self.client.api_usage()?;
        (usage.fraction() >= self.settings.usage_stop).then(|| {
            limit_message(&format!(
                "API usage is at {}/{} requests, at or above the {:.0} % stop threshold",
                usage.used,
                usage.limit,
                self.settings.usage_stop * 100.0
            ))
        })
    }
}

pub(super) fn limit_message(cause: &str) -> String {
    format!(
        "Stopped early to stay within Salesforce's API limit ({cause}). \
         The watermark was kept, so the next run resumes where this one stopped."
    )
}

/// A row's place in the window's order, when its stamp can be read.
fn position(row: &AccountRow) -> Option<SyncPosition> {
    Some(SyncPosition {
        system_modstamp: Timestamp::parse(&row.system_modstamp).ok()?,
        id: row.id.clone(),
    })
}

pub(super) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
