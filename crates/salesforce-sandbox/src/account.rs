//! The Account sObject: its fields, their types and record ids (see `render` for the JSON a
//! query returns).

use expedite_domain::Timestamp;

/// One Account as the sandbox holds it, deleted rows (the recycle bin) included.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// 18-character, case-safe Salesforce id starting with `001`.
    pub id: String,
    pub name: String,
    /// The `Type` picklist ("Customer - Direct", "Prospect", …).
    pub account_type: Option<String>,
    pub industry: Option<String>,
    pub annual_revenue: Option<f64>,
    pub billing_city: Option<String>,
    pub billing_country: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// A user id (`005…`).
    pub owner_id: String,
    /// The custom external id field `External_Id__c` (unique among live rows).
    pub external_id: Option<String>,
    pub created_date: Timestamp,
    pub last_modified_date: Timestamp,
    pub system_modstamp: Timestamp,
    pub is_deleted: bool,
}

/// The writable fields of a new Account, for [`crate::Sandbox::insert_account`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAccount {
    pub name: String,
    pub account_type: Option<String>,
    pub industry: Option<String>,
    pub annual_revenue: Option<f64>,
    pub billing_city: Option<String>,
    pub billing_country: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// Defaults to the sandbox user when `None`.
    pub owner_id: Option<String>,
    pub external_id: Option<String>,
}

/// The value types Account fields have, as SOQL compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Id,
    Text,
    Number,
    Boolean,
    DateTime,
}

/// An Account field, named canonically as Salesforce spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Id,
    Name,
    Type,
    Industry,
    AnnualRevenue,
    BillingCity,
    BillingCountry,
    Phone,
    Website,
    OwnerId,
    CreatedDate,
    LastModifiedDate,
    SystemModstamp,
    IsDeleted,
    ExternalId,
}

impl Field {
    pub(crate) const ALL: [Self; 15] = [
        Self::Id,
        Self::IsDeleted,
        Self::Name,
        Self::Type,
        Self::Industry,
        Self::AnnualRevenue,
        Self::BillingCity,
        Self::BillingCountry,
        Self::Phone,
        Self::Website,
        Self::OwnerId,
        Self::CreatedDate,
        Self::LastModifiedDate,
        Self::SystemModstamp,
        Self::ExternalId,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Id => "Id",
            Self::Name => "Name",
            Self::Type => "Type",
            Self::Industry => "Industry",
            Self::AnnualRevenue => "AnnualRevenue",
            Self::BillingCity => "BillingCity",
            Self::BillingCountry => "BillingCountry",
            Self::Phone => "Phone",
            Self::Website => "Website",
            Self::OwnerId => "OwnerId",
            Self::CreatedDate => "CreatedDate",
            Self::LastModifiedDate => "LastModifiedDate",
            Self::SystemModstamp => "SystemModstamp",
            Self::IsDeleted => "IsDeleted",
            Self::ExternalId => "External_Id__c",
        }
    }

    /// Field names are case-insensitive in SOQL and in request bodies.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    pub(crate) const fn kind(self) -> Kind {
        match self {
            Self::Id | Self::OwnerId => Kind::Id,
            Self::AnnualRevenue => Kind::Number,
            Self::IsDeleted => Kind::Boolean,
            Self::CreatedDate | Self::LastModifiedDate | Self::SystemModstamp => Kind::DateTime,
            _ => Kind::Text,
        }
    }

    /// The longest text a writable field accepts; `None` for read-only fields.
    pub(crate) const fn max_length(self) -> Option<usize> {
        match self {
            Self::Name | Self::Website | Self::ExternalId => Some(255),
            Self::Type | Self::Industry => Some(255),
            Self::BillingCity | Self::Phone => Some(40),
            Self::BillingCountry => Some(80),
            Self::OwnerId => Some(18),
            Self::AnnualRevenue => Some(usize::MAX),
            _ => None,
        }
    }

    /// Salesforce's describe type for the field.
    pub(crate) const fn soap_type(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::OwnerId => "reference",
            Self::Type | Self::Industry => "picklist",
            Self::AnnualRevenue => "currency",
            Self::Phone => "phone",
            Self::Website => "url",
            Self::IsDeleted => "boolean",
            Self::CreatedDate | Self::LastModifiedDate | Self::SystemModstamp => "datetime",
            _ => "string",
        }
    }
}

/// A field's value, borrowed from the record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Text(&'a str),
    Number(f64),
    Boolean(bool),
    DateTime(Timestamp),
}

fn opt(value: &Option<String>) -> Value<'_> {
    value.as_deref().map_or(Value::Null, Value::Text)
}

impl Account {
    pub(crate) fn get(&self, field: Field) -> Value<'_> {
        match field {
            Field::Id => Value::Text(&self.id),
            Field::Name => Value::Text(&self.name),
            Field::Type => opt(&self.account_type),
            Field::Industry => opt(&self.industry),
            Field::AnnualRevenue => self.annual_revenue.map_or(Value::Null, Value::Number),
            Field::BillingCity => opt(&self.billing_city),
            Field::BillingCountry => opt(&self.billing_country),
            Field::Phone => opt(&self.phone),
            Field::Website => opt(&self.website),
            Field::OwnerId if self.owner_id.is_empty() => Value::Null,
            Field::OwnerId => Value::Text(&self.owner_id),
            Field::CreatedDate => Value::DateTime(self.created_date),
            Field::LastModifiedDate => Value::DateTime(self.last_modified_date),
            Field::SystemModstamp => Value::DateTime(self.system_modstamp),
            Field::IsDeleted => Value::Boolean(self.is_deleted),
            Field::ExternalId => opt(&self.external_id),
        }
    }
}

/// Salesforce's datetime form in records: `2024-05-20T20:49:32.000+0000`.
pub(crate) fn format_datetime(at: Timestamp) -> String {
    let text = at.to_rfc3339();
    match text.strip_suffix('Z') {
        Some(head) => format!("{head}+0000"),
        None => text,
    }
}

/// The base-62 digits Salesforce ids use, in ASCII order so ids sort like their counters.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// An 18-character id: key prefix (3), pod (2), reserved (1), counter (9), case-safe suffix (3).
pub(crate) fn make_id(prefix: &str, counter: u64) -> String {
    let mut digits = [b'0'; 9];
    let mut rest = counter;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(rest % 62) as usize];
        rest /= 62;
    }
    let mut id = format!("{prefix}Dn0");
    id.push_str(std::str::from_utf8(&digits).unwrap_or("000000000"));
    id.push_str(&case_safe_suffix(&id));
    id
}

/// The three characters that make a 15-character id case-insensitively unique.
pub(crate) fn case_safe_suffix(id15: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    id15.as_bytes()
        .chunks(5)
        .take(3)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            char::from(ALPHABET[bits])
        })
        .collect()
}

/// A 15- or 18-character id in its 18-character form; `None` if it cannot be an id.
pub(crate) fn normalise_id(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        15 => Some(format!("{id}{}", case_safe_suffix(id))),
        18 => Some(id.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_a_case_safe_suffix() {
        // A well-known Salesforce id and its 18-character form.
        assert_eq!(case_safe_suffix("001D000000IqhSL"), "IAZ");
        assert_eq!(
            normalise_id("001D000000IqhSL").as_deref(),
            Some("001D000000IqhSLIAZ")
        );
        let id = make_id("001", 1);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("001"));
        assert!(make_id("001", 61) < make_id("001", 62));
        assert_eq!(normalise_id("bad id"), None);
    }

    #[test]
    fn datetimes_use_the_plus_0000_form() {
        let at = Timestamp::parse("2024-05-20T20:49:32Z").unwrap();
        assert_eq!(format_datetime(at), "2024-05-20T20:49:32.000+0000");
    }
}
