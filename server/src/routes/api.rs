//! The REST API under `/api`, described by the OpenAPI document at `/api/openapi.json`.
//! Anything else under `/api` is a JSON 404, never an HTML page.

use axum::{
    Json, Router,
    http::Uri,
    routing::{get, post},
};
use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, HeaderBuilder, Ref, RefOr, Response, ResponseBuilder,
        schema::{ObjectBuilder, Type},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::{
    admin, customers, customers::EditNeedsAField, export, insights, me, queries, salesforce,
};
use crate::{AppState, error::ApiError};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me::me))
        .route("/admin/users", get(admin::users))
        .route("/admin/operations", get(admin::operations))
        .route("/ai/query", post(queries::ask))
        .route("/ai/query/{id}", get(queries::get_query))
        .route("/ai/queries", get(queries::history))
        .route("/overview", get(insights::overview))
        .route("/customers", get(customers::list))
        .route("/customers/count", get(customers::count))
        .route("/customers/totals", get(insights::totals))
        .route("/customers/export", get(export::export))
        .route("/customers/{id}/account", get(insights::account))
        .route(
            "/customers/{id}",
            get(customers::get_customer).patch(customers::edit),
        )
        .route("/salesforce/sync", post(salesforce::start))
        .route("/salesforce/sync/{id}", get(salesforce::run))
        .route("/salesforce/syncs", get(salesforce::runs))
        .fallback(not_found)
}

/// The API's description; every route above is listed in `paths`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Expedite API",
        description = "Customer insights: ask questions about your Salesforce customers in plain language. \
Every error is `{\"error\": {\"code\", \"message\"}}`. Authenticate with an access token \
(`Authorization: Bearer …`) or the browser session cookie."
    ),
    paths(
        me::me,
        admin::users,
        admin::operations,
        queries::ask,
        queries::get_query,
        queries::history,
        insights::overview,
        customers::list,
        customers::count,
        insights::totals,
        export::export,
        customers::get_customer,
        insights::account,
        customers::edit,
        salesforce::start,
        salesforce::runs,
        salesforce::run,
    ),
    modifiers(&Security, &EdgeResponses, &EditNeedsAField),
    security(("bearer" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                expedite_core::identity::ACCESS_COOKIE,
            ))),
        );
    }
}

/// What the edge layers in front of every route may answer (`crate::edge`, `crate::auth`),
/// added to each operation that does not describe that status itself.
struct EdgeResponses;

impl Modify for EdgeResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let edge = [
            (
                "401",
                error_response("Not signed in, or the access token is not valid."),
            ),
            (
                "403",
                error_response("Blocked by the request filter, or a cross-site request."),
            ),
            (
                "413",
                error_response("The request body is larger than the limit."),
            ),
            ("429", rate_limited()),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                for (status, response) in &edge {
                    operation
                        .responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| RefOr::T(response.clone()));
                }
            }
        }
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// 429 from the rate limits (or the sign-in guard), always with `Retry-After`.
fn rate_limited() -> Response {
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .build();
    let mut response = error_response("Too many requests; retry after `Retry-After` seconds.");
    response.headers.insert(
        "Retry-After".to_owned(),
        HeaderBuilder::new()
            .schema(seconds)
            .description(Some("Seconds to wait before retrying."))
            .build(),
    );
    response
}

/// `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the handlers' annotations.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("There is no API route at {}.", uri.path()))
}
