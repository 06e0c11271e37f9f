//! The Account sObject as Expedite reads and writes it: the row a query returns, its mapping
//! to [`Customer`], the SOQL of a sync window, and the body of a pushed edit.

use expedite_core::store::FieldChange;
use expedite_domain::{Customer, CustomerId, SyncPosition, Timestamp};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The Account fields a [`Customer`] holds, plus `IsDeleted`, and the owner's name through the
/// `Owner` relationship. No formula or roll-up fields: their values change without moving
/// `SystemModstamp`, so they cannot sync incrementally.
pub const ACCOUNT_FIELDS: [&str; 13] = [
    "Id",
    "Name",
    "Type",
    "Industry",
    "AnnualRevenue",
    "BillingCity",
    "BillingCountry",
    "Phone",
    "Website",
    "OwnerId",
    "Owner.Name",
    "SystemModstamp",
    "IsDeleted",
];

/// One Account record from a query (`attributes` and unknown fields ignored).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRow {
    pub id: String,
    pub name: Option<String>,
    #[serde(rename = "Type")]
    pub account_type: Option<String>,
    pub industry: Option<String>,
    pub annual_revenue: Option<f64>,
    pub billing_city: Option<String>,
    pub billing_country: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub owner_id: Option<String>,
    /// `Owner.Name` comes back as a nested record, `null` when there is no owner.
    #[serde(default)]
    pub owner: Option<RelatedName>,
    /// `2024-05-20T20:49:32.000+0000`.
    pub system_modstamp: String,
    #[serde(default)]
    pub is_deleted: bool,
}

/// A related record of which only `Name` was selected:
/// `{"attributes": {"type": "User", "url": "…"}, "Name": "Jane Doe"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RelatedName {
    #[serde(rename = "Name", default)]
    pub name: Option<String>,
}

/// A record that cannot become a [`Customer`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Account {id}: {problem}")]
pub struct InvalidAccount {
    pub id: String,
    pub problem: String,
}

impl AccountRow {
    /// The customer this row describes, stamped as synced at `now`.
    pub fn into_customer(self, now: Timestamp) -> Result<Customer, InvalidAccount> {
        let invalid = |problem: String| InvalidAccount {
            id: self.id.clone(),
            problem,
        };
        let id = CustomerId::parse(&self.id).map_err(|e| invalid(e.to_string()))?;
        let system_modstamp =
            Timestamp::parse(&self.system_modstamp).map_err(|e| invalid(e.to_string()))?;
        Ok(Customer {
            id,
            // Name is required on Account; a deleted row may come back without it.
            name: self.name.unwrap_or_default(),
            account_type: self.account_type,
            industry: self.industry,
            annual_revenue: self.annual_revenue,
            billing_city: self.billing_city,
            billing_country: self.billing_country,
            phone: self.phone,
            website: self.website,
            owner_id: self.owner_id,
            owner_name: self.owner.and_then(|owner| owner.name),
            system_modstamp,
            is_deleted: self.is_deleted,
            synced_at: now,
        })
    }
}

/// A SOQL datetime literal: unquoted, UTC, millisecond precision.
pub fn soql_datetime(at: Timestamp) -> String {
    at.to_rfc3339()
}

/// The query of one sync window: `[lower, upper)` on `SystemModstamp` (from the beginning
/// when `lower` is `None`), ordered by `SystemModstamp, Id` so that equal stamps page stably.
/// With `after`, only the records after that one in this order: a run resuming from its
/// checkpoint.
pub fn window_soql(
    lower: Option<Timestamp>,
    upper: Timestamp,
    after: Option<&SyncPosition>,
) -> String {
    let mut soql = format!("SELECT {} FROM Account WHERE ", ACCOUNT_FIELDS.join(", "));
    if let Some(lower) = lower {
        soql.push_str(&format!("SystemModstamp >= {} AND ", soql_datetime(lower)));
    }
    soql.push_str(&format!("SystemModstamp < {}", soql_datetime(upper)));
    if let Some(after) = after {
        let stamp = soql_datetime(after.system_modstamp);
        // Salesforce ids are alphanumeric; anything else never reaches the query text.
        let id: String = after
            .id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        soql.push_str(&format!(
            " AND (SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > '{id}'))"
        ));
    }
    soql.push_str(" ORDER BY SystemModstamp, Id");
    soql
}

/// The sObject Collections record of a pushed edit, for an update by Id: `attributes.type`,
/// the `Id`, and each changed field under its Salesforce name (`null` clears it).
pub fn edit_record(id: &CustomerId, changes: &[FieldChange]) -> Value {
    let mut record = Map::new();
    record.insert("attributes".into(), json!({ "type": "Account" }));
    record.insert("Id".into(), json!(id.as_str()));
    for change in changes {
        let (name, value) = match change {
            FieldChange::Name(v) => ("Name", json!(v)),
            FieldChange::AccountType(v) => ("Type", json!(v)),
            FieldChange::Industry(v) => ("Industry", json!(v)),
            FieldChange::AnnualRevenue(v) => ("AnnualRevenue", json!(v)),
            FieldChange::BillingCity(v) => ("BillingCity", json!(v)),
            FieldChange::BillingCountry(v) => ("BillingCountry", json!(v)),
            FieldChange::Phone(v) => ("Phone", json!(v)),
            FieldChange::Website(v) => ("Website", json!(v)),
        };
        record.insert(name.into(), value);
    }
    Value::Object(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_customers() {
        let row: AccountRow = serde_json::from_str(
            r#"{"attributes":{"type":"Account","url":"/services/data/v60.0/sobjects/Account/001000000000001AAA"},
                "Id":"001000000000001AAA","Name":"Acme","Type":"Partner","Industry":null,
                "AnnualRevenue":1.5E7,"BillingCity":"Lyon","BillingCountry":"FR","Phone":null,
                "Website":"https://acme.test","OwnerId":"005000000000001AAA",
                "SystemModstamp":"2024-05-20T20:49:32.000+0000","IsDeleted":false}"#,
        )
        .unwrap();
        let now = Timestamp::from_millis(42);
        let customer = row.into_customer(now).unwrap();
        assert_eq!(customer.name, "Acme");
        assert_eq!(customer.annual_revenue, Some(15_000_000.0));
        assert_eq!(
            customer.system_modstamp,
            Timestamp::parse("2024-05-20T20:49:32Z").unwrap()
        );
        assert_eq!(customer.synced_at, now);
        assert!(!customer.is_deleted);
        assert_eq!(customer.owner_name, None, "Owner not selected");
    }

    #[test]
    fn the_owner_name_comes_from_the_nested_owner_record() {
        let row = |owner: &str| -> AccountRow {
            serde_json::from_str(&format!(
                r#"{{"Id":"001000000000001AAA","Name":"Acme","OwnerId":"005000000000001AAA",
                    "Owner":{owner},"SystemModstamp":"2024-05-20T20:49:32.000+0000"}}"#
            ))
            .unwrap()
        };
        let named = row(
            r#"{"attributes":{"type":"User","url":"/services/data/v60.0/sobjects/User/005000000000001AAA"},"Name":"Jane Doe"}"#,
        );
        let customer = named.into_customer(Timestamp::default()).unwrap();
        assert_eq!(customer.owner_name.as_deref(), Some("Jane Doe"));
        assert_eq!(customer.owner_id.as_deref(), Some("005000000000001AAA"));
        for owner in ["null", r#"{"attributes":{"type":"User"},"Name":null}"#] {
            let customer = row(owner).into_customer(Timestamp::default()).unwrap();
            assert_eq!(customer.owner_name, None, "{owner}");
        }
        assert!(ACCOUNT_FIELDS.contains(&"Owner.Name"));
        assert!(window_soql(None, Timestamp::default(), None).contains("OwnerId, Owner.Name, "));
    }

    #[test]
    fn bad_rows_are_refused_with_their_id() {
        let row: AccountRow = serde_json::from_str(
            r#"{"Id":"001'--","Name":"x","SystemModstamp":"2024-05-20T20:49:32.000+0000"}"#,
        )
        .unwrap();
        assert_eq!(
            row.into_customer(Timestamp::default()).unwrap_err().id,
            "001'--"
        );
    }

    #[test]
    fn window_queries_are_half_open_and_ordered() {
        let lower = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        let upper = lower.plus_millis(3_600_000);
        let soql = window_soql(Some(lower), upper, None);
        assert!(soql.starts_with("SELECT Id, Name, Type, "));
        assert!(soql.ends_with(
            "WHERE SystemModstamp >= 2024-01-01T00:00:00.000Z AND \
             SystemModstamp < 2024-01-01T01:00:00.000Z ORDER BY SystemModstamp, Id"
        ));
        assert!(
            window_soql(None, upper, None)
                .contains("WHERE SystemModstamp < 2024-01-01T01:00:00.000Z ORDER BY")
        );
    }

    #[test]
    fn resumed_windows_start_after_the_checkpoint_in_the_window_order() {
        let upper = Timestamp::parse("2024-01-01T01:00:00Z").unwrap();
        let after = SyncPosition {
            system_modstamp: Timestamp::parse("2024-01-01T00:30:00.250Z").unwrap(),
            id: "001000000000042AAA' OR Name != '".into(),
        };
        let soql = window_soql(None, upper, Some(&after));
        assert!(soql.ends_with(
            "WHERE SystemModstamp < 2024-01-01T01:00:00.000Z AND \
             (SystemModstamp > 2024-01-01T00:30:00.250Z OR \
             (SystemModstamp = 2024-01-01T00:30:00.250Z AND Id > '001000000000042AAAORName')) \
             ORDER BY SystemModstamp, Id"
        ));
    }

    #[test]
    fn edits_become_collection_records() {
        let id = CustomerId::parse("001000000000001AAA").unwrap();
        let record = edit_record(
            &id,
            &[
                FieldChange::Name("Acme".into()),
                FieldChange::Phone(None),
                FieldChange::AnnualRevenue(Some(2.0)),
            ],
        );
        assert_eq!(
            record,
            json!({"attributes":{"type":"Account"},"Id":"001000000000001AAA","Name":"Acme",
                   "Phone":null,"AnnualRevenue":2.0})
        );
    }
}
