//! The sandbox's Accounts and the writes on them, each returning what undoes it so a batch
//! with `allOrNone` can be rolled back.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use expedite_domain::Timestamp;

use crate::account::{Account, Field, make_id};
use crate::errors::RecordError;
use crate::records::{Changes, FieldValue, check_required};

/// The user every record belongs to unless told otherwise.
pub(crate) const SANDBOX_USER_ID: &str = "005Dn0000000001IAA";

/// How a record is found for an upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UpsertKey {
    Id,
    ExternalId,
}

/// The state of one record before a write, to put back on rollback.
#[derive(Debug)]
pub(crate) struct Undo {
    id: String,
    previous: Option<Arc<Account>>,
    previous_deletion: Option<Timestamp>,
}

/// All Accounts, by id (ids sort in creation order), with the indexes writes need.
#[derive(Debug, Default)]
pub(crate) struct Store {
    accounts: BTreeMap<String, Arc<Account>>,
    /// `External_Id__c` → id, live records only.
    by_external_id: HashMap<String, String>,
    /// Deleted ids and when they were deleted, for `getDeleted`.
    deletions: BTreeMap<String, Timestamp>,
    counter: u64,
    /// Id or external id → (status code, message) a write to it fails with.
    rejections: HashMap<String, (String, String)>,
}

impl Store {
    pub(crate) fn accounts(&self) -> impl Iterator<Item = &Arc<Account>> {
        self.accounts.values()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Arc<Account>> {
        self.accounts.get(id)
    }

    pub(crate) fn deletions(&self) -> impl Iterator<Item = (&String, &Timestamp)> {
        self.deletions.iter()
    }

    pub(crate) fn next_id(&mut self) -> String {
        self.counter += 1;
        make_id("001", self.counter)
    }

    pub(crate) fn reject_writes_to(&mut self, key: String, code: String, message: String) {
        self.rejections.insert(key, (code, message));
    }

    /// Stores `account` as it is, keeping the indexes right; returns what undoes it.
    pub(crate) fn put(&mut self, account: Account) -> Undo {
        let id = account.id.clone();
        let undo = Undo {
            id: id.clone(),
            previous: self.accounts.get(&id).cloned(),
            previous_deletion: self.deletions.get(&id).copied(),
        };
        self.unindex(&id);
        if account.is_deleted {
            self.deletions
                .entry(id.clone())
                .or_insert(account.system_modstamp);
        } else {
            self.deletions.remove(&id);
            if let Some(external) = &account.external_id {
                self.by_external_id.insert(external.clone(), id.clone());
            }
        }
        self.accounts.insert(id, Arc::new(account));
        undo
    }

    fn unindex(&mut self, id: &str) {
        let old_external = self.accounts.get(id).and_then(|a| a.external_id.clone());
        if let Some(external) = old_external
            && self
                .by_external_id
                .get(&external)
                .is_some_and(|owner| owner == id)
        {
            self.by_external_id.remove(&external);
        }
    }

    /// Puts back what `journal` recorded, newest first.
    pub(crate) fn rollback(&mut self, journal: Vec<Undo>) {
        for undo in journal.into_iter().rev() {
            self.unindex(&undo.id);
            match undo.previous {
                Some(previous) => {
                    let account = Account::clone(&previous);
                    self.put(account);
                }
                None => {
                    self.accounts.remove(&undo.id);
                }
            }
            match undo.previous_deletion {
                Some(at) => self.deletions.insert(undo.id, at),
                None => self.deletions.remove(&undo.id),
            };
        }
    }

    fn check_rejected(&self, keys: [Option<&str>; 2]) -> Result<(), RecordError> {
        match keys
            .into_iter()
            .flatten()
            .find_map(|key| self.rejections.get(key))
        {
            Some((code, message)) => Err(RecordError::new(code, message.clone(), &[])),
            None => Ok(()),
        }
    }

    fn check_unique(&self, changes: &Changes, own_id: Option<&str>) -> Result<(), RecordError> {
        if let Some(external) = changes.external_id()
            && let Some(owner) = self.by_external_id.get(external)
            && Some(owner.as_str()) != own_id
        {
            return Err(RecordError::new(
                "DUPLICATE_VALUE",
                format!(
                    "duplicate value found: External_Id__c duplicates value on record with id: {owner}"
                ),
                &["External_Id__c"],
            ));
        }
        Ok(())
    }

    fn live(&self, id: &str) -> Result<&Arc<Account>, RecordError> {
        match self.accounts.get(id) {
            Some(account) if account.is_deleted => Err(RecordError::new(
                "ENTITY_IS_DELETED",
                "entity is deleted",
                &[],
            )),
            Some(account) => Ok(account),
            None => Err(RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                &[],
            )),
        }
    }

    /// Creates a record from checked changes.
    pub(crate) fn create(
        &mut self,
        changes: &Changes,
        now: Timestamp,
    ) -> Result<(String, Undo), RecordError> {
        if changes.id.is_some() {
            return Err(RecordError::new(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "Account: cannot specify Id in an insert call",
                &["Id"],
            ));
        }
        check_required(changes, true)?;
        self.check_rejected([changes.external_id(), None])?;
        self.check_unique(changes, None)?;
        let id = self.next_id();
        let mut account = Account {
            id: id.clone(),
            name: String::new(),
            account_type: None,
            industry: None,
            annual_revenue: None,
            billing_city: None,
            billing_country: None,
            phone: None,
            website: None,
            owner_id: SANDBOX_USER_ID.to_owned(),
            external_id: None,
            created_date: now,
            last_modified_date: now,
            system_modstamp: now,
            is_deleted: false,
        };
        changes.apply(&mut account);
        Ok((id, self.put(account)))
    }

    /// Updates the live record `id`.
    pub(crate) fn update(
        &mut self,
        id: &str,
        changes: &Changes,
        now: Timestamp,
    ) -> Result<Undo, RecordError> {
        let current = self.live(id)?;
        self.check_rejected([Some(id), current.external_id.as_deref()])?;
        check_required(changes, false)?;
        self.check_unique(changes, Some(id))?;
        let mut account = Account::clone(current);
        changes.apply(&mut account);
        account.last_modified_date = now;
        account.system_modstamp = now;
        Ok(self.put(account))
    }

    /// Updates the record `key` finds, or creates one; `true` when created.
    pub(crate) fn upsert(
        &mut self,
        key: UpsertKey,
        changes: &Changes,
        now: Timestamp,
    ) -> Result<(String, bool, Undo), RecordError> {
        let existing = match key {
            UpsertKey::Id => changes.id.clone(),
            UpsertKey::ExternalId => {
                let Some(external) = changes.external_id() else {
                    return Err(RecordError::new(
                        "MISSING_ARGUMENT",
                        "External_Id__c not specified",
                        &[],
                    ));
                };
                self.by_external_id.get(external).cloned()
            }
        };
        match existing {
            Some(id) => {
                let mut update = changes.clone();
                update.id = None;
                self.update(&id, &update, now).map(|undo| (id, false, undo))
            }
            None => self.create(changes, now).map(|(id, undo)| (id, true, undo)),
        }
    }

    /// Moves the live record `id` to the recycle bin.
    pub(crate) fn delete(&mut self, id: &str, now: Timestamp) -> Result<Undo, RecordError> {
        let current = self.live(id)?;
        self.check_rejected([Some(id), current.external_id.as_deref()])?;
        self.set_deleted(id, true, now)
            .ok_or_else(|| RecordError::new("ENTITY_IS_DELETED", "entity is deleted", &[]))
    }

    /// Deletes or restores `id` without any checks; `None` if unknown or already so.
    pub(crate) fn set_deleted(&mut self, id: &str, deleted: bool, now: Timestamp) -> Option<Undo> {
        let current = self.accounts.get(id).filter(|a| a.is_deleted != deleted)?;
        let mut account = Account::clone(current);
        account.is_deleted = deleted;
        account.last_modified_date = now;
        account.system_modstamp = now;
        self.deletions.remove(id);
        Some(self.put(account))
    }
}

/// The external id value a changes set names for upsert by `External_Id__c`.
pub(crate) fn with_external_id(mut changes: Changes, value: &str) -> Changes {
    changes.set(Field::ExternalId, FieldValue::Text(value.to_owned()));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::ORG_ID;

    #[test]
    fn fixed_ids_are_well_formed() {
        assert_eq!(make_id("005", 1), SANDBOX_USER_ID);
        assert_eq!(make_id("00D", 1), ORG_ID);
    }

    #[test]
    fn rollback_restores_rows_and_indexes() {
        let mut store = Store::default();
        let now = Timestamp::from_millis(1_000);
        let mut changes = Changes::default();
        changes.set(Field::Name, FieldValue::Text("Acme".into()));
        changes.set(Field::ExternalId, FieldValue::Text("X-1".into()));
        let (id, _) = store.create(&changes, now).unwrap();
        let mut journal = vec![store.delete(&id, now).unwrap()];
        let (other, undo) = store.create(&changes, now).unwrap();
        journal.push(undo);
        store.rollback(journal);
        assert!(store.get(&other).is_none());
        assert!(!store.get(&id).unwrap().is_deleted);
        assert_eq!(store.deletions().count(), 0);
        assert!(
            store.create(&changes, now).is_err(),
            "X-1 is owned by the restored row again"
        );
    }
}
