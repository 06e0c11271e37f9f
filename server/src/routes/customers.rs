//! The customer routes: the synced Accounts, searched, sorted and paged.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use expedite_core::store::FieldChange;
use expedite_domain::{
    Customer, CustomerCount, CustomerFilter, CustomerSort, ErrorBody, ErrorCode, Page, Timestamp,
};
use serde::{Deserialize, Deserializer, Serialize};

use super::input::{JsonBody, PageParams, Params};
use crate::{
    AppState,
    auth::{Admin, SignedIn},
    error::ApiError,
};

/// `?search=&industry=&type=&country=&sort=`: which customers, in which order. Shared by the
/// listing, the count and the CSV export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FilterParams {
    /// Case-insensitive text found in name, industry, type or city; at most 200 characters.
    #[param(max_length = 200)]
    search: Option<String>,
    /// Only this industry, exactly as Salesforce spells it (see `/api/customers/totals`).
    #[param(max_length = 255)]
    industry: Option<String>,
    /// Only this account type, exactly.
    #[serde(rename = "type")]
    #[param(rename = "type", max_length = 255)]
    account_type: Option<String>,
    /// Only this billing country, exactly.
    #[param(max_length = 255)]
    country: Option<String>,
    /// The order: name_asc (the default), name_desc, revenue_desc, revenue_asc,
    /// modified_desc, modified_asc.
    #[param(schema_with = sort_schema)]
    sort: Option<String>,
}

impl FilterParams {
    pub(crate) fn filter(self) -> Result<CustomerFilter, ApiError> {
        let sort = match self.sort.as_deref() {
            None | Some("") => CustomerSort::default(),
            Some(text) => CustomerSort::parse(text).ok_or_else(|| {
                let known: Vec<&str> = CustomerSort::ALL.map(CustomerSort::as_str).to_vec();
                ApiError::new(
                    ErrorCode::BadRequest,
                    format!("sort must be one of {}.", known.join(", ")),
                )
            })?,
        };
        Ok(CustomerFilter {
            search: self.search,
            industry: self.industry,
            account_type: self.account_type,
            country: self.country,
            sort,
        })
    }
}

/// `sort` as an enum of the orders [`CustomerSort`] knows, and "" (the default, as when absent).
fn sort_schema() -> utoipa::openapi::Object {
    let orders = std::iter::once("").chain(CustomerSort::ALL.map(CustomerSort::as_str));
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some("The order; name_asc when absent or empty."))
        .enum_values(Some(orders))
        .build()
}

/// A page of customers; `next_cursor` and `prev_cursor` lead to the pages after and before.
#[utoipa::path(
    get, path = "/api/customers", tag = "Customers",
    params(FilterParams, PageParams),
    responses(
        (status = 200, body = Page<Customer>),
        (status = 400, description = "Bad sort, filter, cursor or limit.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(filter): Params<FilterParams>,
    Params(page): Params<PageParams>,
) -> Result<Json<Page<Customer>>, ApiError> {
    let filter = filter.filter()?;
    let customers = state
        .services
        .customers(&caller, &filter, &page.page()?)
        .await?;
    Ok(Json(customers))
}

/// How many customers match the filter (`at_least` when counting stopped at a bound).
#[utoipa::path(
    get, path = "/api/customers/count", tag = "Customers",
    params(FilterParams),
    responses(
        (status = 200, body = CustomerCount),
        (status = 400, description = "Bad sort or filter.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn count(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(filter): Params<FilterParams>,
) -> Result<Json<CustomerCount>, ApiError> {
    let count = state
        .services
        .customer_count(&caller, &filter.filter()?)
        .await?;
    Ok(Json(count))
}

/// One customer by Salesforce id (deleted ones too, flagged).
#[utoipa::path(
    get, path = "/api/customers/{id}", tag = "Customers",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$",
        description = "The Salesforce Account id (15 or 18 letters and digits; any other value is a 404).")),
    responses(
        (status = 200, body = Customer),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 404, description = "No such customer.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn get_customer(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Customer>, ApiError> {
    let customer = state.services.customer(&caller, &id).await?;
    Ok(Json(customer))
}

/// The fields of `PATCH /api/customers/{id}`: absent fields are unchanged, `null` clears one
/// (except `name`, which cannot be cleared). At least one field; text at most 255 characters,
/// as Salesforce allows.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Edit {
    /// Not blank.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, max_length = 255, pattern = r"[^\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]")]
    name: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 255)]
    account_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 255)]
    industry: Option<Option<String>>,
    /// Not negative.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    annual_revenue: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 255)]
    billing_city: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 255)]
    billing_country: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 255)]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 255)]
    website: Option<Option<String>>,
}

/// `Edit` has at least one field: `minProperties: 1`, set here because utoipa 5.5 writes
/// `#[schema(min_properties = …)]` as `maxProperties`.
pub(super) struct EditNeedsAField;

impl utoipa::Modify for EditNeedsAField {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let schemas = openapi.components.as_mut().map(|c| &mut c.schemas);
        if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(edit))) =
            schemas.and_then(|schemas| schemas.get_mut("Edit"))
        {
            edit.min_properties = Some(1);
        }
    }
}

/// A field that, when present, is not `null`.
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// A field that is present, possibly `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

impl Edit {
    fn changes(self) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        changes.extend(self.name.map(FieldChange::Name));
        changes.extend(self.account_type.map(FieldChange::AccountType));
        changes.extend(self.industry.map(FieldChange::Industry));
        changes.extend(self.annual_revenue.map(FieldChange::AnnualRevenue));
        changes.extend(self.billing_city.map(FieldChange::BillingCity));
        changes.extend(self.billing_country.map(FieldChange::BillingCountry));
        changes.extend(self.phone.map(FieldChange::Phone));
        changes.extend(self.website.map(FieldChange::Website));
        changes
    }
}

/// What `PATCH /api/customers/{id}` answers: the pending edit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct EditAccepted {
    customer_id: String,
    /// Every field the pending edit changes (earlier edits included).
    fields: Vec<String>,
    version: u64,
    edited_at: Timestamp,
}

/// Edit a customer locally (administrators); the next manual sync pushes it to Salesforce.
#[utoipa::path(
    patch, path = "/api/customers/{id}", tag = "Customers",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$",
        description = "The Salesforce Account id (15 or 18 letters and digits; any other value is a 404).")),
    request_body = Edit,
    responses(
        (status = 202, description = "Recorded; pushed by the next manual sync.", body = EditAccepted),
        (status = 400, description = "No field, an unknown field or a bad value.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 403, description = "Not an administrator, blocked by the request filter, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "No such customer, or deleted.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn edit(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    JsonBody(edit): JsonBody<Edit>,
) -> Result<(StatusCode, Json<EditAccepted>), ApiError> {
    let edit = state
        .services
        .edit_customer(&caller, &id, edit.changes())
        .await?;
    let fields = edit
        .changes
        .iter()
        .map(|change| {
            let value = serde_json::to_value(change).unwrap_or_default();
            value["field"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    let accepted = EditAccepted {
        customer_id: edit.customer_id.to_string(),
        fields,
        version: edit.version,
        edited_at: edit.edited_at,
    };
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
