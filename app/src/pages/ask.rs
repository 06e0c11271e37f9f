//! Ask a question about the customers, then watch it being answered.
//!
//! Asking redirects to `/ask?query=<id>`, so the page shows that query (also without
//! JavaScript, and after a reload); once hydrated it follows the status live.

use expedite_domain::Prompt;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::Ask,
    components::{
        query_live::{QueryLive, QueryResource, load_query},
        require_sign_in::RequireSignIn,
    },
};

/// The followed query is loaded here, outside the guard's suspense, so the server and the
/// browser create the resource once and in the same order.
#[component]
pub(crate) fn AskPage() -> impl IntoView {
    let params = use_query_map();
    let following = Memo::new(move |_| params.read().get("query"));
    let query: QueryResource = Resource::new(move || following.get(), load_query);
    view! {
        <Title text="Ask" />
        <RequireSignIn>
            <AskBody query />
        </RequireSignIn>
    }
}

#[component]
fn AskBody(query: QueryResource) -> impl IntoView {
    let ask = ServerAction::<Ask>::new();

    view! {
        <h1>"Ask about your customers"</h1>
        <AskForm ask />
        <Transition fallback=|| view! { <p class="muted">"Loading the question…"</p> }>
            {move || Suspend::new(async move {
                match query.await {
                    Ok(Some((query, cited))) => view! { <QueryLive query cited /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The question box. Works as a plain form post without JavaScript; Ctrl+Enter (⌘+Enter on a
/// Mac) in the box asks, as the button does.
#[component]
fn AskForm(ask: ServerAction<Ask>) -> impl IntoView {
    let prompt = NodeRef::<leptos::html::Textarea>::new();
    let submit_on_ctrl_enter = move |event: leptos::ev::KeyboardEvent| {
        if event.key() != "Enter" || !(event.ctrl_key() || event.meta_key()) || event.repeat() {
            return;
        }
        event.prevent_default();
        // `requestSubmit` validates and fires `submit`, which the action form handles.
        if let Some(form) = prompt.get_untracked().and_then(|prompt| prompt.form()) {
            // Only fails for a detached form; then there is nothing to submit.
            let _ = form.request_submit();
        }
    };
    let error = move || {
        ask.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };
    let max = Prompt::MAX_CHARS.to_string();
    view! {
        <section class="card" aria-labelledby="ask-heading">
            <h2 id="ask-heading" class="visually-hidden">"New question"</h2>
            <ActionForm action=ask attr:class="form">
                <label for="prompt">"Your question"</label>
                <textarea
                    node_ref=prompt
                    on:keydown=submit_on_ctrl_enter
                    id="prompt"
                    name="prompt"
                    rows="4"
                    maxlength=max
                    required
                    aria-describedby="prompt-hint"
                    placeholder="Which manufacturing accounts over $5M have not changed in 90 days?"
                ></textarea>
                <p id="prompt-hint" class="hint">
                    "Up to 2,000 characters. Answers link to the customer records they rely on. "
                    "Press Ctrl+Enter (⌘+Enter on a Mac) to ask."
                </p>
                <p class="error" role="alert">{error}</p>
                <button class="button" type="submit" disabled=move || ask.pending().get()>
                    "Ask"
                </button>
            </ActionForm>
        </section>
    }
}
