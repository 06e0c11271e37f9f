//! The home page's overview, the customer totals and an account's page, for API clients; the
//! UI reads the same use-cases through server functions.

use axum::{
    Json,
    extract::{Path, State},
};
use expedite_domain::{Account, CustomerTotals, ErrorBody, Overview};

use crate::{AppState, auth::SignedIn, error::ApiError};

/// Totals and breakdowns, the newest finished sync, recent changes, the caller's newest
/// questions and suggested questions.
#[utoipa::path(
    get, path = "/api/overview", tag = "Customers",
    responses(
        (status = 200, body = Overview),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn overview(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(state.services.overview(&caller).await?))
}

/// What the live customers add up to, by industry, type and country (the filters' values).
#[utoipa::path(
    get, path = "/api/customers/totals", tag = "Customers",
    responses(
        (status = 200, body = CustomerTotals),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn totals(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<CustomerTotals>, ApiError> {
    Ok(Json(state.services.customer_totals(&caller).await?))
}

/// One customer with its Salesforce link and the caller's questions that cite it.
#[utoipa::path(
    get, path = "/api/customers/{id}/account", tag = "Customers",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$",
        description = "The Salesforce Account id (15 or 18 letters and digits; any other value is a 404).")),
    responses(
        (status = 200, body = Account),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 404, description = "No such customer.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn account(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(state.services.account(&caller, &id).await?))
}
