//! Local edits of customers, waiting to be pushed to Salesforce by the next manual sync.
//!
//! An edit holds only the fields that changed. Each new change to the same customer merges into
//! the pending edit and bumps its `version`, so that a push clears exactly what it sent: an edit
//! made while a push was in flight has a newer version and stays pending.

use expedite_domain::{CustomerId, Timestamp};
use serde::{Deserialize, Serialize};

/// One changed Account field and its new value (`None` clears the field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum FieldChange {
    Name(String),
    AccountType(Option<String>),
    Industry(Option<String>),
    AnnualRevenue(Option<f64>),
    BillingCity(Option<String>),
    BillingCountry(Option<String>),
    Phone(Option<String>),
    Website(Option<String>),
}

impl FieldChange {
    /// Whether both change the same field.
    pub fn same_field(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// The pending local changes to one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalEdit {
    pub customer_id: CustomerId,
    /// At most one change per field, the latest.
    pub changes: Vec<FieldChange>,
    /// 1 for the first change, then one more per recorded change.
    pub version: u64,
    /// When the latest change was made; compared with Salesforce's `SystemModstamp` to decide
    /// which writer was last.
    pub edited_at: Timestamp,
}

impl LocalEdit {
    /// A first edit of `customer_id`.
    pub fn new(customer_id: CustomerId, changes: Vec<FieldChange>, now: Timestamp) -> Self {
        let mut edit = Self {
            customer_id,
            changes: Vec::new(),
            version: 1,
            edited_at: now,
        };
        edit.merge_changes(changes);
        edit
    }

    /// This edit with `changes` applied on top (a later value of a field replaces the earlier
    /// one), its version bumped and its time moved to `now`. Backends call this inside their
    /// read-modify-write so both merge the same way.
    pub fn merged(mut self, changes: Vec<FieldChange>, now: Timestamp) -> Self {
        self.merge_changes(changes);
        self.version += 1;
        self.edited_at = self.edited_at.max(now);
        self
    }

    fn merge_changes(&mut self, changes: Vec<FieldChange>) {
        for change in changes {
            match self.changes.iter_mut().find(|c| c.same_field(&change)) {
                Some(existing) => *existing = change,
                None => self.changes.push(change),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_changes_replace_earlier_ones_field_by_field() {
        let id = CustomerId::parse("001000000000001AAA").unwrap();
        let t0 = Timestamp::from_millis(1000);
        let edit = LocalEdit::new(
            id,
            vec![
                FieldChange::Name("A".into()),
                FieldChange::Phone(Some("1".into())),
                FieldChange::Name("B".into()),
            ],
            t0,
        );
        assert_eq!(edit.version, 1);
        assert_eq!(edit.changes.len(), 2);
        let edit = edit.merged(vec![FieldChange::Phone(None)], t0.plus_millis(5));
        assert_eq!(edit.version, 2);
        assert_eq!(edit.edited_at, t0.plus_millis(5));
        assert_eq!(
            edit.changes,
            vec![FieldChange::Name("B".into()), FieldChange::Phone(None)]
        );
        let json = serde_json::to_string(&edit.changes).unwrap();
        assert_eq!(
            json,
            r#"[{"field":"name","value":"B"},{"field":"phone","value":null}]"#
        );
    }
}
