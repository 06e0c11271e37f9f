//! `GET /lightning/r/Account/{id}/view`: the record page a browser lands on from an "Open in
//! Salesforce" link. A small, self-contained HTML page of the record's fields (every value
//! escaped); 404 for an id the org does not hold. No session needed: it is a local stand-in.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::account::{Account, format_datetime, normalise_id};
use crate::state::Shared;

#[derive(Deserialize)]
pub(crate) struct RecordPath {
    sobject: String,
    id: String,
}

/// The record page, or a "not found" page with 404.
pub(crate) async fn view(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<RecordPath>,
) -> Response {
    let account = if path.sobject.eq_ignore_ascii_case("Account") {
        normalise_id(&path.id).and_then(|id| shared.store().get(&id).map(|a| Account::clone(a)))
    } else {
        None
    };
    match account {
        Some(account) => html(StatusCode::OK, &record_page(&account)),
        None => html(StatusCode::NOT_FOUND, &not_found_page(&path.id)),
    }
}

fn html(status: StatusCode, body: &str) -> Response {
    let mut response = (status, body.to_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The record's fields as a definition list.
pub(crate) fn record_page(account: &Account) -> String {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let owner = account
        .owner_name()
        .map_or_else(|| account.owner_id.clone(), str::to_owned);
    let rows: [(&str, String); 14] = [
        ("Account Name", account.name.clone()),
        ("Type", text(&account.account_type)),
        ("Industry", text(&account.industry)),
        (
            "Annual Revenue",
            account.annual_revenue.map(money).unwrap_or_default(),
        ),
        ("Phone", text(&account.phone)),
        ("Website", text(&account.website)),
        ("Billing City", text(&account.billing_city)),
        ("Billing Country", text(&account.billing_country)),
        ("Account Owner", owner),
        ("External Id", text(&account.external_id)),
        ("Created Date", format_datetime(account.created_date)),
        (
            "Last Modified Date",
            format_datetime(account.last_modified_date),
        ),
        ("System Modstamp", format_datetime(account.system_modstamp)),
        ("Account Id", account.id.clone()),
    ];
    let mut list = String::new();
    for (label, value) in rows {
        list.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(label),
            escape(&value)
        ));
    }
    let notice = if account.is_deleted {
        "<p class=\"notice\">This record is in the Recycle Bin.</p>\n"
    } else {
        ""
    };
    page(
        &format!("{} | Account | Salesforce sandbox", account.name),
        &format!(
            "<p class=\"kind\">Account</p>\n<h1>{}</h1>\n{notice}<dl>\n{list}</dl>",
            escape(&account.name)
        ),
    )
}

fn not_found_page(id: &str) -> String {
    page(
        "Record not found | Salesforce sandbox",
        &format!(
            "<h1>Record not found</h1>\n<p>The sandbox org holds no Account with the id {}.</p>",
            escape(id)
        ),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n\
         </body>\n</html>\n",
        escape(title)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f3f3f3;color:#181818}\
main{max-width:44rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.5rem}\
.kind{margin:0;color:#555;font-size:.85rem}h1{margin:.2rem 0 1rem}\
.notice{background:#fef1e8;padding:.5rem;border-radius:.25rem}\
dl{display:grid;grid-template-columns:12rem 1fr;gap:.4rem 1rem}dt{color:#555}dd{margin:0}";

/// Text made safe for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `15000000.5` → `$15,000,000.50`; whole amounts without cents.
fn money(amount: f64) -> String {
    let cents = (amount.abs() * 100.0).round() as u128;
    let (whole, fraction) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 { "-" } else { "" };
    if fraction == 0 {
        format!("{sign}${grouped}")
    } else {
        format!("{sign}${grouped}.{fraction:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_formats_money() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(money(15_000_000.0), "$15,000,000");
        assert_eq!(money(999.5), "$999.50");
        assert_eq!(money(-1234.0), "-$1,234");
    }
}
