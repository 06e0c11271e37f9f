//! Pushing local edits (manual runs only), after the pull has refreshed the local copies.
//!
//! Conflict rule: the last writer by time wins. An edit whose `edited_at` is older than the
//! `SystemModstamp` of Salesforce's copy (as the pull just stored it) lost: someone changed
//! the Account in Salesforce after the local edit, so the edit is dropped and reported as a
//! `CONFLICT` issue. Changes made in Salesforce within the settle interval are not pulled yet,
//! so they are not seen here, and an edit newer than them overwrites their fields.
//!
//! Echoes: a pushed edit is cleared only if it was not edited again meanwhile; its new
//! `SystemModstamp` comes back in the next pull, which only rewrites the same values. An edit
//! made while its push was in flight stays pending and is re-dated to after the push, so the
//! push's own `SystemModstamp` never makes it look like a conflict.

use expedite_core::store::LocalEdit;
use expedite_domain::CustomerId;

use crate::{SalesforceError, account::edit_record, collections::COLLECTION_CHUNK};

use super::{
    Ending, SalesforceSync,
    progress::{Failure, Progress},
    pull::{count, limit_message},
};

impl SalesforceSync {
    pub(super) async fn push(&self, progress: &mut Progress<'_>) -> Result<Ending, Failure> {
        let mut after: Option<CustomerId> = None;
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
            let pushable = self.drop_conflicts(progress, edits).await?;
            if !pushable.is_empty()
                && let Some(ending) = self.push_chunk(progress, &pushable).await?
            {
                return Ok(ending);
            }
            progress.renew_lease(self.settings.lease_ttl).await?;
            progress.save().await?;
            if !full_chunk {
                return Ok(Ending::Completed);
            }
        }
    }

    /// The edits that may be pushed; the others are reported and cleared.
    async fn drop_conflicts(
        &self,
        progress: &mut Progress<'_>,
        edits: Vec<LocalEdit>,
    ) -> Result<Vec<LocalEdit>, Failure> {
        let mut pushable = Vec::with_capacity(edits.len());
        for edit in edits {
            let stored = self
                .store
                .get_customer(&edit.customer_id)
                .await
                .map_err(Failure::store)?;
            let reason = match &stored {
                Some(customer) if customer.is_deleted => Some((
                    "DELETED_IN_SALESFORCE",
                    "The account was deleted in Salesforce; the local edit was dropped.".to_owned(),
                )),
                Some(customer) if customer.system_modstamp > edit.edited_at => Some((
                    "CONFLICT",
                    format!(
                        "Salesforce changed the account at {} after the local edit at {}; \
                         the last writer wins, so the local edit was dropped.",
                        customer.system_modstamp, edit.edited_at
                    ),
                )),
                _ => None,
            };
            match reason {
                Some((code, message)) => {
                    let id = edit.customer_id.to_string();
                    progress.issue(Some(&id), code, message);
                    self.store
                        .clear_local_edit(&edit.customer_id, edit.version)
                        .await
                        .map_err(Failure::store)?;
                }
                None => pushable.push(edit),
            }
        }
        Ok(pushable)
    }

    /// Upserts one chunk by Id; `Some` when the run must stop at the API limit.
    async fn push_chunk(
        &self,
        progress: &mut Progress<'_>,
        edits: &[LocalEdit],
    ) -> Result<Option<Ending>, Failure> {
        let records: Vec<_> = edits
            .iter()
            .map(|edit| edit_record(&edit.customer_id, &edit.changes))
            .collect();
        let results = match self
            .client
            .upsert_collection("Account", "Id", &records)
            .await
        {
            Ok(results) => results,
            Err(SalesforceError::RequestLimitExceeded(message)) => {
                return Ok(Some(Ending::LimitReached(limit_message(&message))));
            }
            Err(error) => return Err(Failure::salesforce(error)),
        };
        for (edit, result) in edits.iter().zip(results) {
            let id = edit.customer_id.to_string();
            if !result.success {
                // Kept pending: the next manual run tries again (and reports again).
                for error in &result.errors {
                    let fields = if error.fields.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", error.fields.join(", "))
                    };
                    progress.issue(
                        Some(&id),
                        &error.status_code,
                        format!("{}{fields}", error.message),
                    );
                }
                if result.errors.is_empty() {
                    progress.issue(
                        Some(&id),
                        "PUSH_FAILED",
                        "Salesforce refused the record".into(),
                    );
                }
                continue;
            }
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
        }
        Ok(None)
    }
}
