//! A record as a query returns it: `attributes` first, then the selected columns in order —
//! plain fields, and `Owner.Name` as the nested `Owner` record (`null` without an owner).

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::account::{Account, Field, Value, format_datetime};

/// One entry of a select list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Field(Field),
    /// `Owner.Name`, through the `Owner` relationship to User.
    OwnerName,
}

pub(crate) struct RecordJson<'a> {
    pub(crate) account: &'a Account,
    pub(crate) columns: &'a [Column],
    pub(crate) version: &'a str,
}

impl Serialize for RecordJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len() + 1))?;
        map.serialize_entry(
            "attributes",
            &Attributes::of("Account", &self.account.id, self.version),
        )?;
        for column in self.columns {
            let field = match column {
                Column::Field(field) => *field,
                Column::OwnerName => {
                    let owner = self.account.owner_name().map(|name| Related {
                        attributes: Attributes::of("User", &self.account.owner_id, self.version),
                        name,
                    });
                    map.serialize_entry("Owner", &owner)?;
                    continue;
                }
            };
            match self.account.get(field) {
                Value::Null => map.serialize_entry(field.name(), &())?,
                Value::Text(text) => map.serialize_entry(field.name(), text)?,
                Value::Number(n) => map.serialize_entry(field.name(), &n)?,
                Value::Boolean(b) => map.serialize_entry(field.name(), &b)?,
                Value::DateTime(at) => map.serialize_entry(field.name(), &format_datetime(at))?,
            }
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct Attributes {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

impl Attributes {
    fn of(kind: &'static str, id: &str, version: &str) -> Self {
        Self {
            kind,
            url: format!("/services/data/v{version}/sobjects/{kind}/{id}"),
        }
    }
}

/// A related record of which only `Name` was selected.
#[derive(serde::Serialize)]
struct Related {
    attributes: Attributes,
    #[serde(rename = "Name")]
    name: &'static str,
}
