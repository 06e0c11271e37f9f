//! Pulling one window: `queryAll` page by page, each page upserted as it arrives.

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
    /// The session or the query cursor expired: sign in again and read the window again.
    Restart(SalesforceError),
}

impl SalesforceSync {
    /// Reads the whole window into the store, restarting it (a bounded number of times) when
    /// Salesforce drops the session or the query cursor.
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
        let soql = window_soql(window.lower, window.upper);
        let mut cursor = self
            .client
            .cursor(soql, true, Some(self.settings.batch_size));
        loop {
            if let Some(message) = self.usage_stop() {
                return Ok(Pass::LimitReached(message));
            }
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
            progress.renew_lease(self.settings.lease_ttl).await?;
            progress.save().await?;
            tracing::debug!(
                records = customers.len(),
                pulled = progress.run.pulled,
                "sync page written"
            );
        }
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

pub(super) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
