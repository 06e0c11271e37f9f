//! `query` / `queryAll` and their cursors: results are snapshotted at the first call and
//! served page by page through `nextRecordsUrl`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use expedite_domain::Timestamp;
use serde::{Deserialize, Serialize};

use crate::account::{Account, make_id};
use crate::errors::ApiError;
use crate::eval;
use crate::render::{Column, RecordJson};
use crate::server::ApiVersion;
use crate::soql::{self, Selection};
use crate::state::{Shared, lock, millis};

/// The most cursors one user may hold open; opening another evicts the oldest.
const MAX_OPEN_CURSORS: usize = 10;
const MAX_BATCH: usize = 2000;
const MIN_BATCH: usize = 200;

/// The open cursors, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Cursors {
    open: VecDeque<Cursor>,
    counter: u64,
}

#[derive(Debug)]
struct Cursor {
    id: String,
    rows: Arc<[Arc<Account>]>,
    columns: Arc<[Column]>,
    batch: usize,
    last_used: Timestamp,
}

#[derive(Serialize)]
struct QueryPage<'a> {
    #[serde(rename = "totalSize")]
    total_size: usize,
    done: bool,
    #[serde(rename = "nextRecordsUrl", skip_serializing_if = "Option::is_none")]
    next_records_url: Option<String>,
    records: Vec<RecordJson<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct LocatorPath {
    locator: String,
}

/// `GET …/query?q=`: live rows only.
pub(crate) async fn query(
    State(shared): State<Arc<Shared>>,
    version: ApiVersion,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    run(&shared, &version, &headers, &params, false)
}

/// `GET …/queryAll?q=`: deleted rows too.
pub(crate) async fn query_all(
    State(shared): State<Arc<Shared>>,
    version: ApiVersion,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    run(&shared, &version, &headers, &params, true)
}

/// `GET …/query/{locator}` (or under `queryAll/`): the next page of an open cursor.
pub(crate) async fn more(
    State(shared): State<Arc<Shared>>,
    version: ApiVersion,
    Path(path): Path<LocatorPath>,
) -> Result<Response, ApiError> {
    let invalid = || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (id, offset) = path.locator.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let now = shared.clock.now();
    let ttl = millis(shared.config.cursor_ttl);
    let mut cursors = lock(&shared.cursors);
    cursors.open.retain(|c| c.last_used.plus_millis(ttl) > now);
    let position = cursors
        .open
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(invalid)?;
    let cursor = &mut cursors.open[position];
    if offset == 0 || offset >= cursor.rows.len() {
        return Err(invalid());
    }
    cursor.last_used = now;
    let (rows, columns, batch, cursor_id) = (
        cursor.rows.clone(),
        cursor.columns.clone(),
        cursor.batch,
        cursor.id.clone(),
    );
    if offset + batch >= rows.len() {
        cursors.open.remove(position);
    }
    drop(cursors);
    Ok(page(&version.0, &cursor_id, &rows, &columns, offset, batch))
}

fn run(
    shared: &Shared,
    version: &ApiVersion,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    include_deleted: bool,
) -> Result<Response, ApiError> {
    let text = params
        .get("q")
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| {
            ApiError::malformed_query("A SOQL query is required in the 'q' parameter")
        })?;
    let soql = soql::parse(text)?;
    let mut rows: Vec<Arc<Account>> = shared
        .store()
        .accounts()
        .filter(|a| include_deleted || !a.is_deleted)
        .filter(|a| soql.filter.as_ref().is_none_or(|f| eval::matches(f, a)))
        .cloned()
        .collect();
    eval::sort(&mut rows, &soql.order);
    let rows: Vec<Arc<Account>> = rows
        .into_iter()
        .skip(soql.offset)
        .take(soql.limit.unwrap_or(usize::MAX))
        .collect();
    let columns: Arc<[Column]> = match soql.selection {
        Selection::Count => {
            let body = QueryPage {
                total_size: rows.len(),
                done: true,
                next_records_url: None,
                records: Vec::new(),
            };
            return Ok(Json(body).into_response());
        }
        Selection::Columns(columns) => columns.into(),
    };
    let batch = batch_size(headers);
    let rows: Arc<[Arc<Account>]> = rows.into();
    let mut cursor_id = String::new();
    if rows.len() > batch {
        let mut cursors = lock(&shared.cursors);
        cursors.counter += 1;
        cursor_id = make_id("01g", cursors.counter);
        if cursors.open.len() >= MAX_OPEN_CURSORS {
            cursors.open.pop_front();
        }
        cursors.open.push_back(Cursor {
            id: cursor_id.clone(),
            rows: rows.clone(),
            columns: columns.clone(),
            batch,
            last_used: shared.clock.now(),
        });
    }
    Ok(page(&version.0, &cursor_id, &rows, &columns, 0, batch))
}

/// `Sforce-Query-Options: batchSize=N`, kept within Salesforce's 200..=2000.
fn batch_size(headers: &HeaderMap) -> usize {
    headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|option| option.trim().split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("batchSize"))
                .and_then(|(_, n)| n.trim().parse::<usize>().ok())
        })
        .map_or(MAX_BATCH, |n| n.clamp(MIN_BATCH, MAX_BATCH))
}

fn page(
    version: &str,
    cursor_id: &str,
    rows: &[Arc<Account>],
    columns: &[Column],
    offset: usize,
    batch: usize,
) -> Response {
    let end = rows.len().min(offset + batch);
    let done = end >= rows.len();
    let body = QueryPage {
        total_size: rows.len(),
        done,
        next_records_url: (!done)
            .then(|| format!("/services/data/v{version}/query/{cursor_id}-{end}")),
        records: rows[offset..end]
            .iter()
            .map(|account| RecordJson {
                account,
                columns,
                version,
            })
            .collect(),
    };
    Json(body).into_response()
}
