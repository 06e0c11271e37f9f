//! The conflict rule of the push: the last writer by time wins.
//!
//! An edit whose `edited_at` is older than the Account's `SystemModstamp` in Salesforce lost:
//! someone changed the Account after the local edit, so the edit is dropped (cleared) and
//! reported as a `CONFLICT` issue. It is checked twice: against the copy the pull just stored
//! (which also shows Accounts deleted in Salesforce), then against Salesforce itself, read
//! just before each chunk is written — the pull stops a settle interval before now, so a
//! change made in Salesforce since then is not in the store yet.

use std::collections::HashMap;

use expedite_core::store::LocalEdit;
use expedite_domain::Timestamp;
use serde::Deserialize;

use crate::SalesforceError;

use super::{
    SalesforceSync,
    progress::{Failure, Progress},
};

/// What Salesforce says of an Account just before the push.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CurrentStamp {
    id: String,
    system_modstamp: String,
}

impl SalesforceSync {
    /// The edits the stored copies do not already rule out; the others are reported and
    /// cleared.
    pub(super) async fn drop_stored_conflicts(
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
                    conflict_message(customer.system_modstamp, edit.edited_at),
                )),
                _ => None,
            };
            match reason {
                Some((code, message)) => self.drop_edit(progress, &edit, code, message).await?,
                None => pushable.push(edit),
            }
        }
        Ok(pushable)
    }

    /// The edits Salesforce's current `SystemModstamp`s (see [`Self::current_stamps`]) do not
    /// rule out; the others are reported and cleared. An Id the query did not return (deleted
    /// a moment ago, or not visible to the integration user) is left to the update, which
    /// says why per record.
    pub(super) async fn drop_current_conflicts(
        &self,
        progress: &mut Progress<'_>,
        edits: Vec<LocalEdit>,
        stamps: &HashMap<String, Timestamp>,
    ) -> Result<Vec<LocalEdit>, Failure> {
        let mut pushable = Vec::with_capacity(edits.len());
        for edit in edits {
            match stamps.get(edit.customer_id.as_str()) {
                Some(&current) if current > edit.edited_at => {
                    let message = conflict_message(current, edit.edited_at);
                    self.drop_edit(progress, &edit, "CONFLICT", message).await?;
                }
                _ => pushable.push(edit),
            }
        }
        Ok(pushable)
    }

    /// `SELECT Id, SystemModstamp FROM Account WHERE Id IN (…)` over the edits' Ids (at most
    /// one collection chunk, so one page), keyed by Id.
    pub(super) async fn current_stamps(
        &self,
        edits: &[LocalEdit],
    ) -> Result<HashMap<String, Timestamp>, SalesforceError> {
        // Customer ids are 15 or 18 alphanumerics (checked when parsed): safe inside quotes.
        let ids: Vec<String> = edits
            .iter()
            .map(|edit| format!("'{}'", edit.customer_id.as_str()))
            .collect();
        let soql = format!(
            "SELECT Id, SystemModstamp FROM Account WHERE Id IN ({})",
            ids.join(", ")
        );
        let mut cursor = self.client.cursor(soql, false, None);
        let mut stamps = HashMap::with_capacity(edits.len());
        while let Some(rows) = cursor.next_page::<CurrentStamp>().await? {
            for row in rows {
                let at = Timestamp::parse(&row.system_modstamp).map_err(|e| {
                    SalesforceError::Decode(format!("SystemModstamp of {}: {e}", row.id))
                })?;
                stamps.insert(row.id, at);
            }
        }
        Ok(stamps)
    }

    async fn drop_edit(
        &self,
        progress: &mut Progress<'_>,
        edit: &LocalEdit,
        code: &str,
        message: String,
    ) -> Result<(), Failure> {
        progress.issue(Some(edit.customer_id.as_str()), code, message);
        self.store
            .clear_local_edit(&edit.customer_id, edit.version)
            .await
            .map_err(Failure::store)?;
        Ok(())
    }
}

fn conflict_message(salesforce: Timestamp, edited_at: Timestamp) -> String {
    format!(
        "Salesforce changed the account at {salesforce} after the local edit at {edited_at}; \
         the last writer wins, so the local edit was dropped."
    )
}
