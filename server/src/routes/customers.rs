//! The customer routes: the synced Accounts, searched, sorted and paged.

use axum::{
    Json,
    extract::{Path, State},
};
use expedite_core::CustomerError;
use expedite_domain::{Customer, CustomerFilter, CustomerSort, ErrorBody, ErrorCode, Page};
use serde::Deserialize;

use super::input::{PageParams, Params};
use crate::{AppState, auth::SignedIn, error::ApiError};

/// `?search=&sort=&cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Case-insensitive text found in name, industry, type or city.
    search: Option<String>,
    /// One of name_asc (default), name_desc, revenue_desc, revenue_asc, modified_desc.
    sort: Option<String>,
    cursor: Option<String>,
    /// Items per page, 1 to 100 (default 25).
    limit: Option<u32>,
}

/// A page of customers.
#[utoipa::path(
    get, path = "/api/customers", tag = "Customers",
    params(ListParams),
    responses(
        (status = 200, body = Page<Customer>),
        (status = 400, description = "Bad sort, search, cursor or limit.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
    )
)]
pub(super) async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(params): Params<ListParams>,
) -> Result<Json<Page<Customer>>, ApiError> {
    let sort = match params.sort.as_deref() {
        None | Some("") => CustomerSort::default(),
        Some(text) => CustomerSort::parse(text).ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadRequest,
                "sort must be one of name_asc, name_desc, revenue_desc, revenue_asc, modified_desc.",
            )
        })?,
    };
    let page = PageParams {
        cursor: params.cursor,
        limit: params.limit,
    }
    .page()?;
    let filter = CustomerFilter {
        search: params.search,
        sort,
    };
    let customers = state
        .services
        .customers(&caller, &filter, &page)
        .await
        .map_err(customer_error)?;
    Ok(Json(customers))
}

/// One customer by Salesforce id (deleted ones too, flagged).
#[utoipa::path(
    get, path = "/api/customers/{id}", tag = "Customers",
    params(("id" = String, Path, description = "The Salesforce Account id.")),
    responses(
        (status = 200, body = Customer),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 404, description = "No such customer.", body = ErrorBody),
    )
)]
pub(super) async fn get_customer(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Customer>, ApiError> {
    let customer = state
        .services
        .customer(&caller, &id)
        .await
        .map_err(customer_error)?;
    Ok(Json(customer))
}

fn customer_error(error: CustomerError) -> ApiError {
    match error {
        CustomerError::NotFound => ApiError::not_found(error.to_string()),
        CustomerError::SearchTooLong => ApiError::new(ErrorCode::BadRequest, error.to_string()),
        CustomerError::Store(cause) => super::store_error(cause),
    }
}
