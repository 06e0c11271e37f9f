//! The customer use-cases: the synced Salesforce Accounts, listed and read by signed-in users.

use expedite_domain::{Customer, CustomerFilter, CustomerId, Page, PageRequest};

use crate::{Services, identity::Caller, store::StoreError};

/// Longest search text accepted.
const MAX_SEARCH: usize = 200;

/// Why a customer use-case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("There is no customer with this id.")]
    NotFound,
    #[error("The search text may be at most 200 characters.")]
    SearchTooLong,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Services {
    /// A page of live customers; any signed-in user may read them.
    pub async fn customers(
        &self,
        _caller: &Caller,
        filter: &CustomerFilter,
        page: &PageRequest,
    ) -> Result<Page<Customer>, CustomerError> {
        if filter
            .search
            .as_deref()
            .is_some_and(|search| search.chars().count() > MAX_SEARCH)
        {
            return Err(CustomerError::SearchTooLong);
        }
        let filter = CustomerFilter {
            search: filter
                .search
                .as_deref()
                .map(str::trim)
                .filter(|search| !search.is_empty())
                .map(str::to_owned),
            sort: filter.sort,
        };
        Ok(self.store().list_customers(&filter, page).await?)
    }

    /// One customer, deleted ones included (so cited answers never link to nothing).
    pub async fn customer(&self, _caller: &Caller, id: &str) -> Result<Customer, CustomerError> {
        let id = CustomerId::parse(id).map_err(|_| CustomerError::NotFound)?;
        self.store()
            .get_customer(&id)
            .await?
            .ok_or(CustomerError::NotFound)
    }
}
