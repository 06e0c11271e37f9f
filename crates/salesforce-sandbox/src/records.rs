//! Turning a request body's record into checked field changes, as Salesforce validates them.

use serde_json::{Map, Value as Json};

use crate::account::{Account, Field, Kind, normalise_id};
use crate::errors::RecordError;
use crate::users;

/// A new value for one writable field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Null,
    Text(String),
    Number(f64),
}

/// The checked writable fields of one record, plus the `Id` it named, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Changes {
    pub(crate) id: Option<String>,
    pub(crate) values: Vec<(Field, FieldValue)>,
}

impl Changes {
    pub(crate) fn get(&self, field: Field) -> Option<&FieldValue> {
        self.values
            .iter()
            .rev()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
    }

    pub(crate) fn set(&mut self, field: Field, value: FieldValue) {
        self.values.retain(|(f, _)| *f != field);
        self.values.push((field, value));
    }

    /// The `External_Id__c` the record carries, if it sets one.
    pub(crate) fn external_id(&self) -> Option<&str> {
        match self.get(Field::ExternalId) {
            Some(FieldValue::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Writes the values into `account`; the caller bumps the audit fields.
    pub(crate) fn apply(&self, account: &mut Account) {
        for (field, value) in &self.values {
            let text = match value {
                FieldValue::Text(t) => Some(t.clone()),
                _ => None,
            };
            match field {
                Field::Name => account.name = text.unwrap_or_default(),
                Field::Type => account.account_type = text,
                Field::Industry => account.industry = text,
                Field::AnnualRevenue => {
                    account.annual_revenue = match value {
                        FieldValue::Number(n) => Some(*n),
                        _ => None,
                    };
                }
                Field::BillingCity => account.billing_city = text,
                Field::BillingCountry => account.billing_country = text,
                Field::Phone => account.phone = text,
                Field::Website => account.website = text,
                Field::OwnerId => {
                    if let Some(owner) = text {
                        account.owner_id = owner;
                    }
                }
                Field::ExternalId => account.external_id = text,
                Field::Id
                | Field::CreatedDate
                | Field::LastModifiedDate
                | Field::SystemModstamp
                | Field::IsDeleted => {}
            }
        }
    }
}

/// Checks one record object from a request body (its `attributes` are ignored).
pub(crate) fn parse_record(record: &Map<String, Json>) -> Result<Changes, RecordError> {
    let mut changes = Changes::default();
    for (name, value) in record {
        if name == "attributes" {
            continue;
        }
        let field = Field::parse(name).ok_or_else(|| {
            RecordError::new(
                "INVALID_FIELD",
                format!("No such column '{name}' on sobject of type Account"),
                &[],
            )
        })?;
        if field == Field::Id {
            let id = value.as_str().and_then(normalise_id).ok_or_else(|| {
                RecordError::new(
                    "MALFORMED_ID",
                    format!("Account ID: id value of incorrect type: {value}"),
                    &["Id"],
                )
            })?;
            changes.id = Some(id);
            continue;
        }
        let Some(max_length) = field.max_length() else {
            return Err(RecordError::new(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    field.name()
                ),
                &[field.name()],
            ));
        };
        changes
            .values
            .push((field, field_value(field, value, max_length)?));
    }
    Ok(changes)
}

fn field_value(field: Field, value: &Json, max_length: usize) -> Result<FieldValue, RecordError> {
    let name = field.name();
    let wrong_type = || {
        RecordError::new(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            format!("{name}: value not of required type: {value}"),
            &[name],
        )
    };
    match (field.kind(), value) {
        (_, Json::Null) => Ok(FieldValue::Null),
        (Kind::Number, Json::Number(n)) => {
            n.as_f64().map(FieldValue::Number).ok_or_else(wrong_type)
        }
        (Kind::Number, Json::String(s)) if s.is_empty() => Ok(FieldValue::Null),
        (Kind::Number, Json::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(FieldValue::Number)
            .ok_or_else(wrong_type),
        // Salesforce stores an empty string as null.
        (Kind::Text | Kind::Id, Json::String(s)) if s.is_empty() => Ok(FieldValue::Null),
        (Kind::Id, Json::String(s)) => match normalise_id(s) {
            // The only reference field is OwnerId: it must name a user of the org.
            Some(id) if users::user_name(&id).is_some() => Ok(FieldValue::Text(id)),
            _ => Err(RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                format!("{name}: id value of incorrect type: {s}"),
                &[name],
            )),
        },
        (Kind::Text, Json::String(s)) if s.chars().count() > max_length => Err(RecordError::new(
            "STRING_TOO_LONG",
            format!("{name}: data value too large: {s} (max length={max_length})"),
            &[name],
        )),
        (Kind::Text, Json::String(s)) => Ok(FieldValue::Text(s.clone())),
        _ => Err(wrong_type()),
    }
}

/// `Name` is required on every Account, so it may be neither missing on create nor cleared.
pub(crate) fn check_required(changes: &Changes, creating: bool) -> Result<(), RecordError> {
    let missing = match changes.get(Field::Name) {
        Some(FieldValue::Text(_)) => false,
        Some(_) => true,
        None => creating,
    };
    if missing {
        return Err(RecordError::new(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
            &["Name"],
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Json) -> Result<Changes, RecordError> {
        parse_record(value.as_object().unwrap())
    }

    #[test]
    fn checks_names_types_and_lengths() {
        let ok =
            parse(json!({"attributes": {"type": "Account"}, "name": "Acme", "AnnualRevenue": 5}))
                .unwrap();
        assert_eq!(ok.get(Field::Name), Some(&FieldValue::Text("Acme".into())));
        assert_eq!(
            parse(json!({"Nope__c": 1})).unwrap_err().status_code,
            "INVALID_FIELD"
        );
        assert_eq!(
            parse(json!({"Name": "x".repeat(256)}))
                .unwrap_err()
                .status_code,
            "STRING_TOO_LONG"
        );
        assert_eq!(
            parse(json!({"SystemModstamp": "x"}))
                .unwrap_err()
                .status_code,
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(
            parse(json!({"AnnualRevenue": "lots"}))
                .unwrap_err()
                .status_code,
            "INVALID_TYPE_ON_FIELD_IN_RECORD"
        );
        let cleared = parse(json!({"Name": ""})).unwrap();
        assert!(check_required(&cleared, false).is_err());
        assert!(check_required(&Changes::default(), true).is_err());
        assert!(check_required(&Changes::default(), false).is_ok());
    }
}
