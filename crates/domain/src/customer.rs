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
    /// The owning user's name, as Salesforce's `Owner.Name` gives it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub owner_name: Option<String>,
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
    ModifiedAsc,
}

impl CustomerSort {
    pub const ALL: [Self; 6] = [
        Self::NameAsc,
        Self::NameDesc,
        Self::RevenueDesc,
        Self::RevenueAsc,
        Self::ModifiedDesc,
        Self::ModifiedAsc,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NameAsc => "name_asc",
            Self::NameDesc => "name_desc",
            Self::RevenueDesc => "revenue_desc",
            Self::RevenueAsc => "revenue_asc",
            Self::ModifiedDesc => "modified_desc",
            Self::ModifiedAsc => "modified_asc",
        }
    }

    /// The same column in the other direction.
    pub const fn reversed(self) -> Self {
        match self {
            Self::NameAsc => Self::NameDesc,
            Self::NameDesc => Self::NameAsc,
            Self::RevenueDesc => Self::RevenueAsc,
            Self::RevenueAsc => Self::RevenueDesc,
            Self::ModifiedDesc => Self::ModifiedAsc,
            Self::ModifiedAsc => Self::ModifiedDesc,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == text)
    }
}

/// A listing request: an optional case-insensitive search over name, industry, type and city,
/// and exact matches on industry, type and billing country (as Salesforce spells them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerFilter {
    pub search: Option<String>,
    pub industry: Option<String>,
    pub account_type: Option<String>,
    pub country: Option<String>,
    pub sort: CustomerSort,
}

impl CustomerFilter {
    /// Search text as every listing reads it: trimmed, and none when nothing is left.
    pub fn search_text(raw: Option<&str>) -> Option<String> {
        raw.map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    }

    /// The filter as every listing reads it: each text trimmed, empty ones dropped.
    pub fn normalised(&self) -> Self {
        Self {
            search: Self::search_text(self.search.as_deref()),
            industry: Self::search_text(self.industry.as_deref()),
            account_type: Self::search_text(self.account_type.as_deref()),
            country: Self::search_text(self.country.as_deref()),
            sort: self.sort,
        }
    }
}

/// How many customers a listing holds. Counting is exact except on backends where a filter
/// combination no summary answers would need an unbounded read; then it stops at a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerCount {
    pub count: u64,
    /// The count stopped at a bound: there are at least `count`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
}

/// Live customers sharing one value of a field (`None`: the field is empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Segment {
    #[serde(default)]
    pub value: Option<String>,
    pub customers: u64,
    /// Summed annual revenue of those with one, in dollars (summed in whole cents).
    pub revenue: f64,
}

/// What the live customers add up to. Revenue is summed in whole cents on every backend, so
/// two backends holding the same customers report the same figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerTotals {
    pub customers: u64,
    /// Customers with a known annual revenue.
    pub with_revenue: u64,
    pub total_revenue: f64,
    /// The median of the known annual revenues (the mean of the middle two for an even count).
    #[serde(default)]
    pub median_revenue: Option<f64>,
    /// Largest first (by customers, then value).
    pub by_industry: Vec<Segment>,
    pub by_type: Vec<Segment>,
    pub by_country: Vec<Segment>,
}

impl CustomerTotals {
    /// Orders segments as every backend reports them: most customers first, then by value
    /// (the empty value last).
    pub fn sort_segments(segments: &mut [Segment]) {
        segments.sort_by(|a, b| {
            b.customers
                .cmp(&a.customers)
                .then_with(|| match (&a.value, &b.value) {
                    (Some(a), Some(b)) => a.cmp(b),
                    (a, b) => b.is_some().cmp(&a.is_some()),
                })
        });
    }
}

/// Whole cents to dollars, as totals report them.
pub fn dollars(cents: i64) -> f64 {
    cents as f64 / 100.0
}
