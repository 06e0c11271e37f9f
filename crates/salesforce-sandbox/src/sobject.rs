//! Single-record sObject rows: read, create, update, upsert by external id and delete.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::account::{Field, normalise_id};
use crate::collections::upsert_key;
use crate::errors::{ApiError, RecordError};
use crate::meta::{SObjectPath, check_sobject};
use crate::records::{Changes, parse_record};
use crate::render::{Column, RecordJson};
use crate::server::ApiVersion;
use crate::state::Shared;
use crate::store::{UpsertKey, with_external_id};

#[derive(Deserialize)]
pub(crate) struct RowPath {
    sobject: String,
    id: String,
}

#[derive(Deserialize)]
pub(crate) struct KeyPath {
    sobject: String,
    field: String,
    value: String,
}

/// `GET sobjects/Account/{id}[?fields=a,b]`.
pub(crate) async fn read(
    State(shared): State<Arc<Shared>>,
    version: ApiVersion,
    Path(path): Path<RowPath>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    check_sobject(&path.sobject)?;
    let columns: Vec<Column> = match params.get("fields") {
        Some(list) => list
            .split(',')
            .map(|name| {
                Field::parse(name.trim()).map(Column::Field).ok_or_else(|| {
                    ApiError::invalid_field(format!(
                        "No such column '{}' on entity 'Account'",
                        name.trim()
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        None => Field::ALL.map(Column::Field).to_vec(),
    };
    let id = normalise_id(&path.id).ok_or_else(ApiError::not_found)?;
    let store = shared.store();
    let account = store
        .get(&id)
        .filter(|a| !a.is_deleted)
        .ok_or_else(ApiError::not_found)?;
    let body = serde_json::to_value(RecordJson {
        account,
        columns: &columns,
        version: &version.0,
    })
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION",
            e.to_string(),
        )
    })?;
    Ok(Json(body).into_response())
}

/// `POST sobjects/Account`: 201 `{"id","success","errors"}`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<SObjectPath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_sobject(&path.sobject)?;
    let changes = changes(&body)?;
    let now = shared.clock.record_stamp();
    let (id, _) = shared.store_mut().create(&changes, now).map_err(rejected)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "success": true, "errors": []})),
    )
        .into_response())
}

/// `PATCH sobjects/Account/{id}`: 204.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<RowPath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_sobject(&path.sobject)?;
    let id = normalise_id(&path.id).ok_or_else(ApiError::not_found)?;
    let changes = changes(&body)?;
    let now = shared.clock.record_stamp();
    shared
        .store_mut()
        .update(&id, &changes, now)
        .map_err(rejected)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE sobjects/Account/{id}`: 204.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<RowPath>,
) -> Result<Response, ApiError> {
    check_sobject(&path.sobject)?;
    let id = normalise_id(&path.id).ok_or_else(ApiError::not_found)?;
    let now = shared.clock.record_stamp();
    shared.store_mut().delete(&id, now).map_err(rejected)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PATCH sobjects/Account/{field}/{value}`: 201 when created, 200 when updated.
pub(crate) async fn upsert(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<KeyPath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_sobject(&path.sobject)?;
    let key = upsert_key(&path.field)?;
    let mut changes = changes(&body)?;
    changes = match key {
        UpsertKey::ExternalId => with_external_id(changes, &path.value),
        UpsertKey::Id => {
            let id = normalise_id(&path.value).ok_or_else(ApiError::not_found)?;
            if shared.store().get(&id).is_none() {
                return Err(ApiError::not_found());
            }
            Changes {
                id: Some(id),
                ..changes
            }
        }
    };
    let now = shared.clock.record_stamp();
    let (id, created, _) = shared
        .store_mut()
        .upsert(key, &changes, now)
        .map_err(rejected)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({"id": id, "success": true, "errors": [], "created": created})),
    )
        .into_response())
}

fn changes(body: &[u8]) -> Result<Changes, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(ApiError::json_parser)?;
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::json_parser("the body must be a JSON object"))?;
    parse_record(object).map_err(|e| ApiError::from_record(StatusCode::BAD_REQUEST, e))
}

/// A single-record write's failure: 404 for a missing or deleted row, else 400.
fn rejected(error: RecordError) -> ApiError {
    let status = match error.status_code.as_str() {
        "ENTITY_IS_DELETED" | "INVALID_CROSS_REFERENCE_KEY" => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::from_record(status, error)
}
