//! AI queries: ask, read one, list the caller's history, and the customers an answer cites.

use expedite_domain::{AiQuery, Customer, Page};
use leptos::{prelude::*, server_fn::codec::Json};

use crate::error::UiError;

/// Most citations resolved for one answer; answers cite a handful.
pub const MAX_CITED: usize = 50;

/// Asks a question, then goes to the ask page following the new query.
///
/// Without JavaScript the form post is answered with a redirect to the same page.
#[server(prefix = "/sfn", endpoint = "ask")]
pub async fn ask(prompt: String) -> Result<AiQuery, UiError> {
    let caller = super::caller()?;
    let query = super::services()
        .submit_query(&caller, &prompt, None)
        .await?;
    leptos_axum::redirect(&format!("/ask?query={}", query.id));
    Ok(query)
}

/// One of the caller's queries (any query for administrators).
#[server(prefix = "/sfn", endpoint = "get_query")]
pub async fn get_query(id: String) -> Result<AiQuery, UiError> {
    let caller = super::caller()?;
    super::services()
        .query(&caller, &id)
        .await
        .map_err(UiError::from)
}

/// The caller's queries, newest first, from `cursor` on.
#[server(prefix = "/sfn", endpoint = "query_history")]
pub async fn query_history(cursor: Option<String>) -> Result<Page<AiQuery>, UiError> {
    let caller = super::caller()?;
    super::services()
        .query_history(&caller, &super::page_from(cursor))
        .await
        .map_err(UiError::from)
}

/// The customers behind an answer's citations, in the order given; unknown ids are left out.
#[server(prefix = "/sfn", endpoint = "cited_customers", input = Json)]
pub async fn cited_customers(ids: Vec<String>) -> Result<Vec<Customer>, UiError> {
    use expedite_core::CustomerError;

    let caller = super::caller()?;
    let services = super::services();
    let mut customers = Vec::new();
    for id in ids.iter().take(MAX_CITED) {
        match services.customer(&caller, id).await {
            Ok(customer) => customers.push(customer),
            Err(CustomerError::NotFound) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(customers)
}
