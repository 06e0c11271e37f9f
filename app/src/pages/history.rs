//! The caller's questions, newest first, a page at a time (`?cursor=`).

use expedite_domain::{AiQuery, Page};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::query_history,
    components::{badge::QueryBadge, require_sign_in::RequireSignIn, time::LocalTime},
    error::UiError,
    format,
};

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn HistoryPage() -> impl IntoView {
    let params = use_query_map();
    let cursor = Memo::new(move |_| params.read().get("cursor"));
    let page = Resource::new(move || cursor.get(), query_history);
    view! {
        <Title text="History" />
        <RequireSignIn>
            <HistoryBody cursor page />
        </RequireSignIn>
    }
}

#[component]
fn HistoryBody(
    cursor: Memo<Option<String>>,
    page: Resource<Result<Page<AiQuery>, UiError>>,
) -> impl IntoView {
    view! {
        <h1>"History"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading your questions…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <HistoryList page first=cursor.get_untracked().is_none() /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One page of questions with the links to older ones and back to the newest.
#[component]
fn HistoryList(page: Page<AiQuery>, first: bool) -> impl IntoView {
    if page.items.is_empty() && first {
        return view! {
            <p class="empty" data-testid="history-empty">
                "You have not asked anything yet. " <a href="/ask">"Ask a question"</a> "."
            </p>
        }
        .into_any();
    }
    let older = page.next_cursor.map(|cursor| {
        format!(
            "/history{}",
            format::query_string(&[("cursor", Some(&cursor))])
        )
    });
    view! {
        // On phones each row becomes a card (`.stack`, labels from `data-label`).
        <table class="table stack" data-testid="history">
            <thead>
                <tr>
                    <th scope="col">"Question"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Asked"</th>
                </tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|query| view! { <HistoryRow query /> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(!first).then(|| view! { <a href="/history">"Newest"</a> })}
            {older.map(|href| view! { <a href=href rel="next">"Older"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn HistoryRow(query: AiQuery) -> impl IntoView {
    let href = format!("/history/{}", query.id);
    view! {
        <tr>
            <td class="clip" data-label="Question">
                <a href=href>{query.prompt.as_str().to_owned()}</a>
            </td>
            <td data-label="Status"><QueryBadge status=query.status /></td>
            <td class="nowrap" data-label="Asked">
                <LocalTime at=query.created_at />
            </td>
        </tr>
    }
}
