//! Derived values every store backend keeps beside a customer, so that sorting, searching and
//! cursors behave the same on SQLite and DynamoDB.

use expedite_domain::{Customer, CustomerFilter};

/// Sorts names case-insensitively. Control characters are dropped so that a backend may put a
/// separator below every printable character between this key and the id.
pub fn name_key(customer: &Customer) -> String {
    customer
        .name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .to_lowercase()
}

/// Revenue in whole cents (the precision sorting uses); unknown revenue sorts as the lowest.
pub fn revenue_key(customer: &Customer) -> f64 {
    match customer.annual_revenue {
        Some(revenue) if revenue.is_finite() && revenue >= 0.0 => (revenue * 100.0).round() / 100.0,
        _ => -1.0,
    }
}

/// Lowercased name, industry, type and city: what the search box matches (substring).
pub fn search_text(customer: &Customer) -> String {
    [
        Some(customer.name.as_str()),
        customer.industry.as_deref(),
        customer.account_type.as_deref(),
        customer.billing_city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\u{1f}")
    .to_lowercase()
}

/// The search term as matched against [`search_text`]; `None` when there is nothing to match.
pub fn normalised_search(filter: &CustomerFilter) -> Option<String> {
    filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_lowercase)
}

/// Known annual revenue in whole cents, the unit totals are summed in; `None` when unknown
/// (missing, negative or not a number), as [`revenue_key`] sorts it.
pub fn revenue_cents(customer: &Customer) -> Option<i64> {
    known_cents(customer.annual_revenue)
}

/// [`revenue_cents`] of a bare amount.
pub fn known_cents(revenue: Option<f64>) -> Option<i64> {
    revenue
        .filter(|revenue| revenue.is_finite() && *revenue >= 0.0)
        .map(|revenue| (revenue * 100.0).round() as i64)
}

/// The listing a customer cursor belongs to: the sort and every filter it was made for.
pub fn customer_listing(filter: &CustomerFilter) -> String {
    let filter = filter.normalised();
    let exact = serde_json::json!([filter.industry, filter.account_type, filter.country]);
    format!(
        "customers:{}:{}:{exact}",
        filter.sort.as_str(),
        normalised_search(&filter).unwrap_or_default()
    )
}
