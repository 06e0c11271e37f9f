//! Pushing local edits (manual runs only), after the pull has refreshed the local copies.
//!
//! Edits go in chunks of at most [`COLLECTION_CHUNK`]: the conflict rule drops the ones that
//! lost (see `conflicts`), then one sObject Collections update by `Id` writes the rest with
//! `allOrNone=false`. Nothing Salesforce refuses fails the run: a refused record, or a chunk
//! refused as a whole with a 4xx answer, becomes issues for its records, which stay pending
//! for the next manual run, and the push carries on with the next chunk. Only what trying
//! again can fix (5xx, timeouts, lost connections, after the client's own retries) or what
//! stops every call (credentials, certificates) ends the run.
//!
//! Echoes: a pushed edit is cleared only if it was not edited again meanwhile; its new
//! `SystemModstamp` comes back in the next pull, which only rewrites the same values. An edit
//! made while its push was in flight stays pending and is re-dated to after the push, so the
//! push's own `SystemModstamp` never makes it look like a conflict.

use std::time::Instant;

use expedite_core::store::LocalEdit;
use expedite_domain::CustomerId;

use crate::{RecordResult, SalesforceError, account::edit_record, collections::COLLECTION_CHUNK};

use super::{
    Ending, SalesforceSync,
    progress::{Failure, Progress},
    pull::{count, limit_message},
};

impl SalesforceSync {
    pub(super) async fn push(&self, progress: &mut Progress<'_>) -> Result<Ending, Failure> {
        let mut after: Option<CustomerId> = progress
            .run
            .checkpoint
            .as_ref()
            .and_then(|c| c.pushed_to.as_deref())
            .and_then(|id| CustomerId::parse(id).ok());
        loop {
            let edits = self
                .store
                .pending_edits(after.as_ref(), count(COLLECTION_CHUNK))
                .await
                .map_err(Failure::store)?;
            let Some(last) = edits.last() else {
                return Ok(Ending::Completed);
            };
            after = Some(last.customer_id.clone());
            let full_chunk = edits.len() == COLLECTION_CHUNK;
            if let Some(message) = self.usage_stop() {
                return Ok(Ending::LimitReached(message));
            }
            if progress.out_of_time() {
                return Ok(Ending::Paused);
            }
            let started = Instant::now();
            if let Some(ending) = self.push_chunk(progress, edits).await? {
                return Ok(ending);
            }
            progress.checkpoint().pushed_to = after.as_ref().map(ToString::to_string);
            progress.renew_lease(self.settings.lease_ttl).await?;
            progress.save().await?;
            progress.stepped(started.elapsed());
            if !full_chunk {
                return Ok(Ending::Completed);
            }
        }
    }

    /// Checks one chunk for conflicts and updates what is left by Id; `Some` when the run
    /// must stop at the API limit.
    async fn push_chunk(
        &self,
        progress: &mut Progress<'_>,
        edits: Vec<LocalEdit>,
    ) -> Result<Option<Ending>, Failure> {
        let edits = self.drop_stored_conflicts(progress, edits).await?;
        if edits.is_empty() {
            return Ok(None);
        }
        let stamps = match self.current_stamps(&edits).await {
            Ok(stamps) => stamps,
            Err(error) => {
                let doing = "reading the accounts' current SystemModstamp before the push";
                return refused_chunk(progress, &edits, doing, error);
            }
        };
        let edits = self
            .drop_current_conflicts(progress, edits, &stamps)
            .await?;
        if edits.is_empty() {
            return Ok(None);
        }
        let records: Vec<_> = edits
            .iter()
            .map(|edit| edit_record(&edit.customer_id, &edit.changes))
            .collect();
        let results = match self.client.update_collection(&records).await {
            Ok(results) => results,
            Err(error) => return refused_chunk(progress, &edits, "updating the accounts", error),
        };
        for (edit, result) in edits.iter().zip(results) {
            if result.success {
                self.pushed(progress, edit).await?;
            } else {
                // Kept pending: the next manual run tries again (and reports again).
                refused_record(progress, edit, &result);
            }
        }
        Ok(None)
    }

    async fn pushed(&self, progress: &mut Progress<'_>, edit: &LocalEdit) -> Result<(), Failure> {
        progress.run.pushed += 1;
        let cleared = self
            .store
            .clear_local_edit(&edit.customer_id, edit.version)
            .await
            .map_err(Failure::store)?;
        if !cleared {
            // Edited again while in flight: keep it, dated after the push.
            self.store
                .record_local_edit(&edit.customer_id, Vec::new(), self.now())
                .await
                .map_err(Failure::store)?;
        }
        Ok(())
    }
}

/// A chunk's call failed as a whole. At the API limit the run stops cleanly; a 4xx refusal
/// becomes one issue per record (kept pending) and the push goes on; anything else fails the
/// run (transiently when trying again may help).
fn refused_chunk(
    progress: &mut Progress<'_>,
    edits: &[LocalEdit],
    doing: &str,
    error: SalesforceError,
) -> Result<Option<Ending>, Failure> {
    match error {
        SalesforceError::RequestLimitExceeded(message) => {
            Ok(Some(Ending::LimitReached(limit_message(&message))))
        }
        error if error.is_refusal() => {
            tracing::warn!(%error, records = edits.len(), doing, "Salesforce refused a push chunk");
            for edit in edits {
                progress.issue(
                    Some(edit.customer_id.as_str()),
                    error.code(),
                    format!(
                        "Salesforce refused {doing} for a chunk of {} records: {error}. \
                         The local edit stays pending.",
                        edits.len()
                    ),
                );
            }
            Ok(None)
        }
        error => Err(Failure::salesforce(error)),
    }
}

/// Salesforce refused one record: each of its errors becomes an issue.
fn refused_record(progress: &mut Progress<'_>, edit: &LocalEdit, result: &RecordResult) {
    let id = edit.customer_id.as_str();
    for error in &result.errors {
        let fields = if error.fields.is_empty() {
            String::new()
        } else {
            format!(" ({})", error.fields.join(", "))
        };
        progress.issue(
            Some(id),
            &error.status_code,
            format!("{}{fields}", error.message),
        );
    }
    if result.errors.is_empty() {
        progress.issue(
            Some(id),
            "PUSH_FAILED",
            "Salesforce refused the record".into(),
        );
    }
}
