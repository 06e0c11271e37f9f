//! `GET /api/customers/export`: every customer of a filter as CSV, streamed page by page so
//! that a large export never sits in memory whole.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use expedite_core::Services;
use expedite_domain::{Customer, CustomerFilter, ErrorBody, Limit, PageRequest};
use futures::{StreamExt, stream};

use super::{customers::FilterParams, input::Params};
use crate::{AppState, auth::SignedIn, error::ApiError};

/// The columns, in order.
const HEADER: [&str; 12] = [
    "Id",
    "Name",
    "Type",
    "Industry",
    "Annual revenue",
    "Billing city",
    "Billing country",
    "Phone",
    "Website",
    "Owner",
    "Owner id",
    "Last modified",
];

/// Every customer matching the filter, in its order, as a CSV download.
#[utoipa::path(
    get, path = "/api/customers/export", tag = "Customers",
    params(FilterParams),
    responses(
        (status = 200, description = "RFC 4180 CSV with a header row, UTF-8.", content_type = "text/csv"),
        (status = 400, description = "Bad sort or filter.", body = ErrorBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub(super) async fn export(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(filter): Params<FilterParams>,
) -> Result<Response, ApiError> {
    let filter = filter.filter()?;
    let page = PageRequest {
        cursor: None,
        limit: Limit::parse(Some(Limit::MAX)).unwrap_or_default(),
    };
    // The first page is read before answering, so a refused filter or an unavailable store is
    // an ordinary error response rather than a broken download.
    let services = state.services.clone();
    let first = services.customers(&caller, &filter, &page).await?;
    let mut head = row(HEADER.map(str::to_owned));
    head.extend(rows(&first.items));
    let rest = Export {
        services,
        caller,
        filter,
        cursor: first.next_cursor,
    };
    let chunks = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) })
        .chain(stream::unfold(Some(rest), next_chunk));
    let filename = format!(
        "customers-{}.csv",
        state
            .services
            .now()
            .to_rfc3339()
            .get(..10)
            .unwrap_or("export")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// Where a streaming export stands.
struct Export {
    services: Services,
    caller: expedite_core::identity::Caller,
    filter: CustomerFilter,
    cursor: Option<String>,
}

async fn next_chunk(
    state: Option<Export>,
) -> Option<(Result<Bytes, std::io::Error>, Option<Export>)> {
    let mut export = state?;
    let cursor = export.cursor.take()?;
    let page = PageRequest {
        cursor: Some(cursor),
        limit: Limit::parse(Some(Limit::MAX)).unwrap_or_default(),
    };
    match export
        .services
        .customers(&export.caller, &export.filter, &page)
        .await
    {
        Ok(listed) => {
            export.cursor = listed.next_cursor;
            Some((Ok(Bytes::from(rows(&listed.items))), Some(export)))
        }
        Err(error) => {
            // The status line is sent: ending the body with an error aborts the download, so
            // the client sees a failed transfer, not a short file.
            tracing::error!(error = %error, "customer export stopped");
            Some((Err(std::io::Error::other("the export stopped")), None))
        }
    }
}

fn rows(customers: &[Customer]) -> Vec<u8> {
    customers
        .iter()
        .flat_map(|customer| {
            row([
                customer.id.to_string(),
                customer.name.clone(),
                customer.account_type.clone().unwrap_or_default(),
                customer.industry.clone().unwrap_or_default(),
                customer
                    .annual_revenue
                    .filter(|revenue| revenue.is_finite())
                    .map(|revenue| format!("{revenue:.2}"))
                    .unwrap_or_default(),
                customer.billing_city.clone().unwrap_or_default(),
                customer.billing_country.clone().unwrap_or_default(),
                customer.phone.clone().unwrap_or_default(),
                customer.website.clone().unwrap_or_default(),
                customer.owner_name.clone().unwrap_or_default(),
                customer.owner_id.clone().unwrap_or_default(),
                customer.system_modstamp.to_rfc3339(),
            ])
        })
        .collect()
}

/// One CSV record. A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab
/// or carriage return first) is prefixed with `'`, as OWASP advises for CSV injection.
fn row<const N: usize>(cells: [String; N]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let cells = cells.map(|cell| defuse(&cell));
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(&cells);
    writer.into_inner().unwrap_or_default()
}

fn defuse(cell: &str) -> String {
    let numeric = cell.parse::<f64>().is_ok();
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !numeric => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let line = String::from_utf8(row([
            "Acme, \"Inc\"".to_owned(),
            "=HYPERLINK(\"x\")".to_owned(),
            "-1500.50".to_owned(),
            "+33 1 23".to_owned(),
        ]))
        .unwrap();
        assert_eq!(
            line,
            "\"Acme, \"\"Inc\"\"\",\"'=HYPERLINK(\"\"x\"\")\",-1500.50,'+33 1 23\n"
        );
    }
}
