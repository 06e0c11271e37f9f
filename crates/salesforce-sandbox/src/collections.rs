//! sObject Collections: create, update, upsert and delete up to 200 records a call, with one
//! result per record in order, and `allOrNone` rolling the whole call back on any failure.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use expedite_domain::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as JsonValue};

use crate::account::normalise_id;
use crate::errors::{ApiError, RecordError};
use crate::meta::check_sobject;
use crate::records::parse_record;
use crate::state::Shared;
use crate::store::{Store, Undo, UpsertKey};

const MAX_RECORDS: usize = 200;

/// One record's outcome. `created` is set by upserts only, as in Salesforce.
#[derive(Debug, Serialize)]
pub(crate) struct SaveResult {
    id: Option<String>,
    success: bool,
    errors: Vec<RecordError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<bool>,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "allOrNone", default)]
    all_or_none: bool,
    records: Vec<JsonValue>,
}

#[derive(Deserialize)]
pub(crate) struct UpsertPath {
    sobject: String,
    field: String,
}

/// A write's success: the id, `created` for upserts, and what undoes it.
type Done = (String, Option<bool>, Undo);
/// A write's failure: the id it concerned, if known, and why.
type Failed = (Option<String>, RecordError);

/// `POST composite/sobjects`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Vec<SaveResult>>, ApiError> {
    let body = parse_body(&body)?;
    Ok(Json(run(
        &shared,
        body.all_or_none,
        body.records,
        |store, record, now| {
            let changes = typed_record(&record, true)
                .and_then(parse_record)
                .map_err(|e| (None, e))?;
            let (id, undo) = store.create(&changes, now).map_err(|e| (None, e))?;
            Ok((id, None, undo))
        },
    )))
}

/// `PATCH composite/sobjects`: update by `Id`.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Vec<SaveResult>>, ApiError> {
    let body = parse_body(&body)?;
    Ok(Json(run(
        &shared,
        body.all_or_none,
        body.records,
        |store, record, now| {
            let mut changes = typed_record(&record, true)
                .and_then(parse_record)
                .map_err(|e| (None, e))?;
            let id = changes.id.take().ok_or_else(|| {
                (
                    None,
                    RecordError::new(
                        "MISSING_ARGUMENT",
                        "Id not specified in an update call",
                        &[],
                    ),
                )
            })?;
            let undo = store
                .update(&id, &changes, now)
                .map_err(|e| (Some(id.clone()), e))?;
            Ok((id, None, undo))
        },
    )))
}

/// `PATCH composite/sobjects/Account/External_Id__c`. Salesforce's guide allows external id
/// fields only here ("Don't use record ids"): keyed on `Id` the whole call is refused with
/// 400 `INVALID_FIELD`, as Salesforce does; updates by Id go to `PATCH composite/sobjects`.
pub(crate) async fn upsert(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<UpsertPath>,
    body: Bytes,
) -> Result<Json<Vec<SaveResult>>, ApiError> {
    check_sobject(&path.sobject)?;
    if path.field.eq_ignore_ascii_case("Id") {
        return Err(ApiError::invalid_field(
            "Id is not an external id field: sObject Collections upsert matches on external \
             id fields only; update records by Id with PATCH composite/sobjects",
        ));
    }
    let key = upsert_key(&path.field)?;
    let body = parse_body(&body)?;
    Ok(Json(run(
        &shared,
        body.all_or_none,
        body.records,
        |store, record, now| {
            let changes = typed_record(&record, false)
                .and_then(parse_record)
                .map_err(|e| (None, e))?;
            let (id, created, undo) = store
                .upsert(key, &changes, now)
                .map_err(|e| (changes.id.clone(), e))?;
            Ok((id, Some(created), undo))
        },
    )))
}

/// `DELETE composite/sobjects?ids=…&allOrNone=…`.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<SaveResult>>, ApiError> {
    let ids: Vec<JsonValue> = params
        .get("ids")
        .map(|ids| {
            ids.split(',')
                .map(|id| JsonValue::String(id.trim().to_owned()))
                .collect()
        })
        .filter(|ids: &Vec<JsonValue>| !ids.is_empty())
        .ok_or_else(|| ApiError::bad_request("MISSING_ARGUMENT", "Missing parameter: ids"))?;
    let all_or_none = params
        .get("allOrNone")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(Json(run(&shared, all_or_none, ids, |store, id, now| {
        let raw = id.as_str().unwrap_or_default();
        let id = normalise_id(raw).ok_or_else(|| {
            (
                None,
                RecordError::new("MALFORMED_ID", format!("malformed id {raw}"), &[]),
            )
        })?;
        let undo = store.delete(&id, now).map_err(|e| (Some(id.clone()), e))?;
        Ok((id, None, undo))
    })))
}

/// The field an upsert matches on: `Id` (single-record upserts only) or the external id field.
pub(crate) fn upsert_key(field: &str) -> Result<UpsertKey, ApiError> {
    if field.eq_ignore_ascii_case("Id") {
        Ok(UpsertKey::Id)
    } else if field.eq_ignore_ascii_case("External_Id__c") {
        Ok(UpsertKey::ExternalId)
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {field}"),
        ))
    }
}

fn parse_body(bytes: &[u8]) -> Result<Body, ApiError> {
    let body: Body = serde_json::from_slice(bytes).map_err(ApiError::json_parser)?;
    if body.records.len() > MAX_RECORDS {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    Ok(body)
}

/// The record as an object whose `attributes.type`, if given (required when `required`), is Account.
fn typed_record(
    record: &JsonValue,
    required: bool,
) -> Result<&Map<String, JsonValue>, RecordError> {
    let object = record.as_object().ok_or_else(|| {
        RecordError::new("INVALID_INPUT", "Each record must be a JSON object", &[])
    })?;
    match object
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(JsonValue::as_str)
    {
        Some(kind) if kind.eq_ignore_ascii_case("Account") => Ok(object),
        None if !required => Ok(object),
        None => Err(RecordError::new(
            "INVALID_TYPE",
            "No SObject Type defined in the attributes",
            &[],
        )),
        Some(kind) => Err(RecordError::new(
            "INVALID_TYPE",
            format!("sObject type '{kind}' is not supported"),
            &[],
        )),
    }
}

/// Applies `op` to each item under one write lock; with `all_or_none`, any failure undoes all.
fn run<T>(
    shared: &Shared,
    all_or_none: bool,
    items: Vec<T>,
    mut op: impl FnMut(&mut Store, T, Timestamp) -> Result<Done, Failed>,
) -> Vec<SaveResult> {
    let now = shared.clock.record_stamp();
    let mut store = shared.store_mut();
    let mut journal = Vec::new();
    let mut results: Vec<SaveResult> = items
        .into_iter()
        .map(|item| match op(&mut store, item, now) {
            Ok((id, created, undo)) => {
                journal.push(undo);
                SaveResult {
                    id: Some(id),
                    success: true,
                    errors: Vec::new(),
                    created,
                }
            }
            Err((id, error)) => SaveResult {
                id,
                success: false,
                errors: vec![error],
                created: None,
            },
        })
        .collect();
    if all_or_none && results.iter().any(|r| !r.success) {
        store.rollback(journal);
        for result in results.iter_mut().filter(|r| r.success) {
            *result = SaveResult {
                id: None,
                success: false,
                errors: vec![RecordError::new(
                    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                    "Record rolled back because not all records were valid and the request was using AllOrNone header",
                    &[],
                )],
                created: None,
            };
        }
    }
    results
}
