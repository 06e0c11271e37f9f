//! The replication feeds: `sobjects/Account/updated/` and `/deleted/` over a time window.
//! Bounds are taken to the minute, as Salesforce does; deletes are kept 15 days.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use expedite_domain::Timestamp;
use serde::Serialize;

use crate::account::format_datetime;
use crate::errors::ApiError;
use crate::meta::{SObjectPath, check_sobject};
use crate::state::Shared;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
/// How long the recycle bin keeps deleted records, and so the delete feed.
const DELETES_KEPT_MS: i64 = 15 * DAY_MS;
/// The widest window one call may ask for.
const MAX_WINDOW_MS: i64 = 30 * DAY_MS;

#[derive(Serialize)]
pub(crate) struct Updated {
    ids: Vec<String>,
    #[serde(rename = "latestDateCovered")]
    latest_date_covered: String,
}

#[derive(Serialize)]
pub(crate) struct Deleted {
    #[serde(rename = "deletedRecords")]
    deleted_records: Vec<DeletedRecord>,
    #[serde(rename = "earliestDateAvailable")]
    earliest_date_available: String,
    #[serde(rename = "latestDateCovered")]
    latest_date_covered: String,
}

#[derive(Serialize)]
struct DeletedRecord {
    id: String,
    #[serde(rename = "deletedDate")]
    deleted_date: String,
}

/// `GET sobjects/Account/updated/?start=&end=`: live records whose SystemModstamp is in the window.
pub(crate) async fn updated(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<SObjectPath>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Updated>, ApiError> {
    check_sobject(&path.sobject)?;
    let now = shared.clock.now();
    let (start, end) = window(&params, now)?;
    if start.as_millis() < now.as_millis() - MAX_WINDOW_MS {
        return Err(replication_error(
            "startDate cannot be more than 30 days ago",
        ));
    }
    let ids = shared
        .store()
        .accounts()
        .filter(|a| !a.is_deleted && a.system_modstamp >= start && a.system_modstamp < end)
        .map(|a| a.id.clone())
        .collect();
    Ok(Json(Updated {
        ids,
        latest_date_covered: format_datetime(end),
    }))
}

/// `GET sobjects/Account/deleted/?start=&end=`.
pub(crate) async fn deleted(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<SObjectPath>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Deleted>, ApiError> {
    check_sobject(&path.sobject)?;
    let now = shared.clock.now();
    let (start, end) = window(&params, now)?;
    let earliest = to_minute(now.plus_millis(-DELETES_KEPT_MS));
    if start < earliest {
        return Err(replication_error(
            "startDate is before the earliest date deleted records are available (15 days ago)",
        ));
    }
    let deleted_records = shared
        .store()
        .deletions()
        .filter(|(_, at)| **at >= start && **at < end)
        .map(|(id, at)| DeletedRecord {
            id: id.clone(),
            deleted_date: format_datetime(*at),
        })
        .collect();
    Ok(Json(Deleted {
        deleted_records,
        earliest_date_available: format_datetime(earliest),
        latest_date_covered: format_datetime(end),
    }))
}

/// `[start, end)` to the minute, `end` no later than the last whole minute before now.
fn window(
    params: &HashMap<String, String>,
    now: Timestamp,
) -> Result<(Timestamp, Timestamp), ApiError> {
    let start = instant(params, "start")?;
    let end = instant(params, "end")?.min(to_minute(now));
    if end <= start {
        return Err(replication_error(
            "endDate must be after startDate and not in the future",
        ));
    }
    if end.as_millis() - start.as_millis() > MAX_WINDOW_MS {
        return Err(replication_error(
            "the window between startDate and endDate cannot exceed 30 days",
        ));
    }
    Ok((start, end))
}

fn instant(params: &HashMap<String, String>, name: &str) -> Result<Timestamp, ApiError> {
    let raw = params.get(name).ok_or_else(|| {
        ApiError::bad_request("MISSING_ARGUMENT", format!("Missing parameter: {name}"))
    })?;
    // An unencoded `+` in the offset arrives as a space.
    let text = raw.trim().replace(' ', "+");
    Timestamp::parse(&text).map(to_minute).map_err(|_| {
        ApiError::bad_request(
            "INVALID_DATE_FORMAT",
            format!("Invalid date format for {name}: {raw}"),
        )
    })
}

fn to_minute(at: Timestamp) -> Timestamp {
    let millis = at.as_millis();
    Timestamp::from_millis(millis - millis.rem_euclid(MINUTE_MS))
}

fn replication_error(message: &str) -> ApiError {
    ApiError::bad_request("INVALID_REPLICATION_DATE", message)
}
