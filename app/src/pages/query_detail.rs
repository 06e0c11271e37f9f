//! One question: prompt, status, answer with citations, error, model, usage and times.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::{
    query_live::{QueryLive, QueryResource, load_query},
    require_sign_in::RequireSignIn,
};

/// The query is loaded here, outside the guard's suspense, so the server and the browser
/// create the resource once and in the same order.
#[component]
pub(crate) fn QueryPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let query: QueryResource = Resource::new(move || Some(id.get()), load_query);
    view! {
        <Title text="Question" />
        <RequireSignIn>
            <QueryBody query />
        </RequireSignIn>
    }
}

#[component]
fn QueryBody(query: QueryResource) -> impl IntoView {
    view! {
        <p class="breadcrumb"><a href="/history">"← History"</a></p>
        <h1>"Question details"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading the question…"</p> }>
            {move || Suspend::new(async move {
                match query.await {
                    Ok(Some((query, cited))) => view! { <QueryLive query cited /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! {
                        <p class="error" role="alert">{error.message}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
