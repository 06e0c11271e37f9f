//! Customers: the synced Salesforce Accounts, filtered, sorted and paged; one by id with what
//! surrounds it; and the home page's overview.

use expedite_domain::{Account, Customer, CustomerCount, CustomerTotals, Overview, Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::UiError;

/// Page sizes a listing offers.
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// A page of customers with the listing's total, and the values each filter can take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerListing {
    pub page: Page<Customer>,
    pub count: CustomerCount,
    pub totals: CustomerTotals,
}

/// What a customers listing asks for, as the page's address carries it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListingQuery {
    pub search: Option<String>,
    pub industry: Option<String>,
    pub account_type: Option<String>,
    pub country: Option<String>,
    /// One of the API's sort names; an unknown one is refused.
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub size: Option<u32>,
}

/// A page of live customers matching the listing, its total and the filters' values.
#[server(prefix = "/sfn", endpoint = "list_customers", input = server_fn::codec::Json)]
pub async fn list_customers(listing: ListingQuery) -> Result<CustomerListing, UiError> {
    use expedite_domain::{CustomerFilter, CustomerSort, ErrorCode, Limit, PageRequest};

    let caller = super::caller()?;
    let sort = match listing.sort.as_deref().filter(|sort| !sort.is_empty()) {
        None => CustomerSort::default(),
        Some(name) => CustomerSort::parse(name)
            .ok_or_else(|| super::refuse(ErrorCode::BadRequest, "This sort order is not known."))?,
    };
    let size = listing.size.filter(|size| PAGE_SIZES.contains(size));
    let page = PageRequest {
        cursor: listing.cursor.filter(|cursor| !cursor.is_empty()),
        limit: Limit::parse(size).unwrap_or_default(),
    };
    let filter = CustomerFilter {
        search: listing.search,
        industry: listing.industry,
        account_type: listing.account_type,
        country: listing.country,
        sort,
    };
    let services = super::services();
    Ok(CustomerListing {
        page: services.customers(&caller, &filter, &page).await?,
        count: services.customer_count(&caller, &filter).await?,
        totals: services.customer_totals(&caller).await?,
    })
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

/// One customer with its Salesforce link and the caller's questions that cite it.
#[server(prefix = "/sfn", endpoint = "get_account")]
pub async fn get_account(id: String) -> Result<Account, UiError> {
    let caller = super::caller()?;
    super::services()
        .account(&caller, &id)
        .await
        .map_err(UiError::from)
}

/// The home page's figures, recent changes, the caller's questions and suggestions.
#[server(prefix = "/sfn", endpoint = "get_overview")]
pub async fn get_overview() -> Result<Overview, UiError> {
    let caller = super::caller()?;
    super::services()
        .overview(&caller)
        .await
        .map_err(UiError::from)
}
