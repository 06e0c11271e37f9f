//! Customers: Salesforce Accounts as Expedite keeps them.

use serde::{Deserialize, Serialize};

use crate::{CustomerId, Timestamp};

/// One customer record. Fields mirror the Salesforce Account; `synced_at` is ours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none", default)]
    pub account_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub industry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub annual_revenue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub billing_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub billing_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub owner_id: Option<String>,
    /// Salesforce's last-modified instant for the record; the sync's watermark field.
    pub system_modstamp: Timestamp,
    pub is_deleted: bool,
    /// When Expedite last wrote this record from Salesforce.
    pub synced_at: Timestamp,
}

/// Orders a customer listing can take. Ties are broken by id, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CustomerSort {
    #[default]
    NameAsc,
    NameDesc,
    RevenueDesc,
    RevenueAsc,
    ModifiedDesc,
}

impl CustomerSort {
    pub const ALL: [Self; 5] = [
        Self::NameAsc,
        Self::NameDesc,
        Self::RevenueDesc,
        Self::RevenueAsc,
        Self::ModifiedDesc,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NameAsc => "name_asc",
            Self::NameDesc => "name_desc",
            Self::RevenueDesc => "revenue_desc",
            Self::RevenueAsc => "revenue_asc",
            Self::ModifiedDesc => "modified_desc",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == text)
    }
}

/// A listing request: an optional case-insensitive search over name, industry, type and city.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerFilter {
    pub search: Option<String>,
    pub sort: CustomerSort,
}

impl CustomerFilter {
    /// Search text as every listing reads it: trimmed, and none when nothing is left.
    pub fn search_text(raw: Option<&str>) -> Option<String> {
        raw.map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    }
}
