//! Customers: the synced Salesforce Accounts, searched, sorted and paged, and one by id.

use expedite_domain::{Customer, Page};
use leptos::prelude::*;

use crate::error::UiError;

/// A page of live customers. `sort` is one of the API's sort names; an unknown one is refused.
#[server(prefix = "/sfn", endpoint = "list_customers")]
pub async fn list_customers(
    search: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
) -> Result<Page<Customer>, UiError> {
    use expedite_domain::{CustomerFilter, CustomerSort, ErrorCode};

    let caller = super::caller()?;
    let sort = match sort.as_deref().filter(|sort| !sort.is_empty()) {
        None => CustomerSort::default(),
        Some(name) => CustomerSort::parse(name)
            .ok_or_else(|| super::refuse(ErrorCode::BadRequest, "This sort order is not known."))?,
    };
    let filter = CustomerFilter { search, sort };
    super::services()
        .customers(&caller, &filter, &super::page_from(cursor))
        .await
        .map_err(UiError::from)
}

/// One customer by its Salesforce id, deleted ones included.
#[server(prefix = "/sfn", endpoint = "get_customer")]
pub async fn get_customer(id: String) -> Result<Customer, UiError> {
    let caller = super::caller()?;
    super::services()
        .customer(&caller, &id)
        .await
        .map_err(UiError::from)
}
