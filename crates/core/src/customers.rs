//! The customer use-cases: the synced Salesforce Accounts, listed and read by signed-in users.

use expedite_domain::{
    Customer, CustomerCount, CustomerFilter, CustomerId, CustomerTotals, Page, PageRequest,
};

use crate::{
    Services,
    identity::Caller,
    store::{FieldChange, LocalEdit, StoreError},
};

/// Longest search text accepted.
const MAX_SEARCH: usize = 200;

/// Why a customer use-case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("There is no customer with this id.")]
    NotFound,
    #[error("The search text may be at most 200 characters.")]
    SearchTooLong,
    #[error("A filter value may be at most 255 characters.")]
    FilterTooLong,
    #[error("Only administrators may edit customers.")]
    Forbidden,
    #[error("{0}")]
    InvalidEdit(String),
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
        let filter = checked(filter)?;
        Ok(self.store().list_customers(&filter, page).await?)
    }

    /// How many live customers match the filter.
    pub async fn customer_count(
        &self,
        _caller: &Caller,
        filter: &CustomerFilter,
    ) -> Result<CustomerCount, CustomerError> {
        let filter = checked(filter)?;
        Ok(self.store().count_customers(&filter).await?)
    }

    /// What the live customers add up to, by industry, type and country.
    pub async fn customer_totals(&self, _caller: &Caller) -> Result<CustomerTotals, CustomerError> {
        Ok(self.store().customer_totals().await?)
    }

    /// One customer, deleted ones included (so cited answers never link to nothing).
    pub async fn customer(&self, _caller: &Caller, id: &str) -> Result<Customer, CustomerError> {
        let id = CustomerId::parse(id).map_err(|_| CustomerError::NotFound)?;
        self.store()
            .get_customer(&id)
            .await?
            .ok_or(CustomerError::NotFound)
    }

    /// Records a local change to a customer (administrators), pushed to Salesforce by the next
    /// manual sync; until then the customer shows Salesforce's values.
    pub async fn edit_customer(
        &self,
        caller: &Caller,
        id: &str,
        changes: Vec<FieldChange>,
    ) -> Result<LocalEdit, CustomerError> {
        if !caller.is_admin() {
            return Err(CustomerError::Forbidden);
        }
        validate(&changes)?;
        let customer = self.customer(caller, id).await?;
        if customer.is_deleted {
            return Err(CustomerError::NotFound);
        }
        let edit = self
            .store()
            .record_local_edit(&customer.id, changes, self.now())
            .await?;
        tracing::info!(customer.id = %customer.id, version = edit.version, "local edit recorded");
        Ok(edit)
    }
}

/// The filter as the store reads it, refused when a value is longer than any stored one.
fn checked(filter: &CustomerFilter) -> Result<CustomerFilter, CustomerError> {
    if filter
        .search
        .as_deref()
        .is_some_and(|search| search.chars().count() > MAX_SEARCH)
    {
        return Err(CustomerError::SearchTooLong);
    }
    let too_long =
        |value: &Option<String>| value.as_deref().is_some_and(|v| v.chars().count() > 255);
    if too_long(&filter.industry) || too_long(&filter.account_type) || too_long(&filter.country) {
        return Err(CustomerError::FilterTooLong);
    }
    Ok(filter.normalised())
}

/// Salesforce's own limits on the editable Account fields.
fn validate(changes: &[FieldChange]) -> Result<(), CustomerError> {
    let invalid = |message: &str| Err(CustomerError::InvalidEdit(message.to_owned()));
    if changes.is_empty() {
        return invalid("Change at least one field.");
    }
    for change in changes {
        match change {
            FieldChange::Name(name) if name.trim().is_empty() => {
                return invalid("The name cannot be empty.");
            }
            FieldChange::AnnualRevenue(Some(revenue)) if !revenue.is_finite() || *revenue < 0.0 => {
                return invalid("The annual revenue must be a positive number.");
            }
            FieldChange::Name(text)
            | FieldChange::AccountType(Some(text))
            | FieldChange::Industry(Some(text))
            | FieldChange::BillingCity(Some(text))
            | FieldChange::BillingCountry(Some(text))
            | FieldChange::Phone(Some(text))
            | FieldChange::Website(Some(text))
                if text.chars().count() > 255 =>
            {
                return invalid("Text fields may be at most 255 characters.");
            }
            _ => {}
        }
    }
    Ok(())
}
