//! The AI-query routes: ask, follow one query, list the caller's history.

use axum::{
    Json,
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use expedite_core::QueryError;
use expedite_domain::{AiQuery, ErrorBody, Page, QueryStatus};
use serde::{Deserialize, Serialize};

use super::input::{JsonBody, PageParams, Params};
use crate::{AppState, auth::SignedIn, error::ApiError};

/// The body of `POST /api/ai/query`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ask {
    /// The question: 1 to 2000 characters once surrounding whitespace is trimmed, with at
    /// least one that is not whitespace, and no control characters but tab and line breaks.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    prompt: String,
}

/// What `POST /api/ai/query` answers: the query to follow.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Accepted {
    query_id: String,
    status: QueryStatus,
}

/// Ask a question about the customers; the worker answers it.
#[utoipa::path(
    post, path = "/api/ai/query", tag = "AI queries",
    request_body = Ask,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255,
        pattern = r"^[\x21-\x7E]{1,255}$",
        description = "Repeat a request safely: the same key (1 to 255 visible ASCII characters) returns the same query for a day.")),
    responses(
        (status = 202, description = "Queued; follow it at the Location.", body = Accepted,
            headers(("Location" = String, description = "The query's URL."))),
        (status = 400, description = "Empty or too long prompt, bad body or key.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "Could not be queued, or the store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn ask(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Ask>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::from(QueryError::InvalidIdempotencyKey))?,
        ),
    };
    let query = state
        .services
        .submit_query(&caller, &body.prompt, key)
        .await?;
    let body = Accepted {
        query_id: query.id.to_string(),
        status: query.status,
    };
    Ok(super::accepted(
        &format!("/api/ai/query/{}", query.id),
        body,
    ))
}

/// One query with its status and, when done, its answer or error.
#[utoipa::path(
    get, path = "/api/ai/query/{id}", tag = "AI queries",
    params(("id" = String, Path, pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description = "The query id (a lowercase UUID; any other value is a 404).")),
    responses(
        (status = 200, body = AiQuery),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 404, description = "No such query, or someone else's.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn get_query(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<AiQuery>, ApiError> {
    let query = state.services.query(&caller, &id).await?;
    Ok(Json(query))
}

/// The caller's queries, newest first.
#[utoipa::path(
    get, path = "/api/ai/queries", tag = "AI queries",
    params(PageParams),
    responses(
        (status = 200, body = Page<AiQuery>),
        (status = 400, description = "Bad cursor or limit.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn history(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(params): Params<PageParams>,
) -> Result<Json<Page<AiQuery>>, ApiError> {
    let page = params.page()?;
    let queries = state.services.query_history(&caller, &page).await?;
    Ok(Json(queries))
}
