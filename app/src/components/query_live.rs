//! A query as it stands: its status, then its answer or error, the customers it cites and
//! what it cost. Once hydrated it follows a query that is not finished (see [`crate::live`]).

use expedite_domain::{AiQuery, Customer, CustomerId, QueryStatus};
use leptos::prelude::*;

use crate::{
    api::{cited_customers, get_query},
    components::{answer::Answer, badge::QueryBadge, time::LocalTime},
    error::UiError,
};

/// Reloads a page without JavaScript every 3 s. Inside `<noscript>` as raw HTML: with scripts
/// on, the browser keeps it as text (no reload once hydrated) and hydration does not walk it.
const NO_SCRIPT_REFRESH: &str = r#"<meta http-equiv="refresh" content="3">"#;

/// A query with the customers it cites, or nothing when no query is asked for.
pub(crate) type QueryResource = Resource<Result<Option<(AiQuery, Vec<Customer>)>, UiError>>;

/// Loads a query and its cited customers in one go (one resource, so hydration sees exactly
/// the resources the server rendered with).
pub(crate) async fn load_query(
    id: Option<String>,
) -> Result<Option<(AiQuery, Vec<Customer>)>, UiError> {
    let Some(id) = id.filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let query = get_query(id).await?;
    let cited = if query.citations.is_empty() {
        Vec::new()
    } else {
        cited_customers(query.citations.iter().map(ToString::to_string).collect()).await?
    };
    Ok(Some((query, cited)))
}

/// The query's status and outcome, kept up to date in the browser; without JavaScript the
/// page of an unfinished query reloads itself until the query is done.
#[component]
pub(crate) fn QueryLive(query: AiQuery, cited: Vec<Customer>) -> impl IntoView {
    let reload = (!query.status.is_terminal())
        .then(|| view! { <noscript data-testid="no-script-refresh" inner_html=NO_SCRIPT_REFRESH></noscript> });
    let query = RwSignal::new(query);
    let problem = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if !query.with_untracked(|query| query.status.is_terminal()) {
            crate::live::follow(query, problem);
        }
    });
    let status = Memo::new(move |_| query.with(|query| query.status));
    let citations = Memo::new(move |_| query.with(|query| query.citations.clone()));

    view! {
        {reload}
        <section class="card query" aria-labelledby="query-heading" data-testid="query">
            <h2 id="query-heading">"Question"</h2>
            <p class="prompt" data-testid="prompt">{move || query.with(|q| q.prompt.as_str().to_owned())}</p>
            <p class="query-status" role="status">
                "Status: " <span data-testid="query-status">{move || view! { <QueryBadge status=status.get() /> }}</span>
            </p>
            <p class="error" role="alert">{move || problem.get()}</p>
            {move || outcome(&query.read())}
            <CitedCustomers ids=citations initial=cited />
            <QueryFacts query />
        </section>
    }
}

/// The answer, the error, or a note that the answer is on its way.
fn outcome(query: &AiQuery) -> AnyView {
    match (query.status, &query.answer, &query.error) {
        (QueryStatus::Completed, Some(answer), _) => view! {
            <h3>"Answer"</h3>
            <Answer text=answer.clone() />
        }
        .into_any(),
        (QueryStatus::Failed, _, error) => {
            let error = error
                .clone()
                .unwrap_or_else(|| "The question could not be answered.".to_owned());
            view! { <p class="error" data-testid="query-error">{error}</p> }.into_any()
        }
        (QueryStatus::Completed, None, _) => {
            view! { <p class="muted">"The answer is empty."</p> }.into_any()
        }
        // Tried before and waiting for the next delivery: say why and until when.
        (QueryStatus::Queued, _, _) if query.notice.is_some() => {
            let notice = query.notice.clone().unwrap_or_default();
            let when = query
                .retry_at
                .map(|at| view! { " Next try: " <LocalTime at /> "." });
            let text = format!("Attempt {} did not finish: {notice}.", query.attempts);
            view! { <p class="muted waiting" data-testid="query-notice">{text}{when}</p> }
                .into_any()
        }
        _ => view! { <p class="muted waiting">"Waiting for the answer…"</p> }.into_any(),
    }
}

/// The customers the answer relied on, with their names: as loaded with the page, and
/// fetched in the browser when a followed query completes later.
#[component]
fn CitedCustomers(ids: Memo<Vec<CustomerId>>, initial: Vec<Customer>) -> impl IntoView {
    let customers = RwSignal::new(initial);
    let problem = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let wanted = ids.get();
        let loaded = customers
            .with_untracked(|customers| customers.iter().map(|c| c.id.clone()).collect::<Vec<_>>());
        if wanted.is_empty() || wanted == loaded {
            return;
        }
        leptos::task::spawn_local(async move {
            match cited_customers(wanted.iter().map(ToString::to_string).collect()).await {
                Ok(found) => customers.set(found),
                Err(error) => problem.set(Some(error.message)),
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = ids;
    let list = move || {
        customers.with(|customers| {
            (!customers.is_empty()).then(|| {
                let items = customers
                    .iter()
                    .map(|customer| {
                        let href = format!("/customers/{}", customer.id);
                        let name = customer.name.clone();
                        let industry = customer.industry.clone().unwrap_or_default();
                        view! {
                            <li>
                                <a href=href>{name}</a>
                                " "
                                <span class="muted">{industry}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <h3>"Cited customers"</h3>
                    <ul class="cited" data-testid="cited">{items}</ul>
                }
            })
        })
    };
    view! {
        {list}
        <p class="error">{move || problem.get()}</p>
    }
}

/// Model, token usage, attempts and times.
#[component]
fn QueryFacts(query: RwSignal<AiQuery>) -> impl IntoView {
    let facts = move || {
        let query = query.read();
        let usage = query.usage.map(|usage| {
            format!(
                "{} prompt + {} completion tokens",
                usage.prompt_tokens, usage.completion_tokens
            )
        });
        view! {
            <dl class="facts">
                <dt>"Asked"</dt>
                <dd data-testid="asked"><LocalTime at=query.created_at /></dd>
                <dt>"Last update"</dt>
                <dd><LocalTime at=query.updated_at /></dd>
                <dt>"Attempts"</dt>
                <dd>{query.attempts}</dd>
                <dt>"Model"</dt>
                <dd data-testid="model">{query.model.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"Token usage"</dt>
                <dd>{usage.unwrap_or_else(|| "—".to_owned())}</dd>
            </dl>
        }
    };
    view! {
        <h3>"Details"</h3>
        {facts}
    }
}
