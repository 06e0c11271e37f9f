//! The sign-in page. Errors never say whether an account exists.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::session::Session;

#[component]
pub(crate) fn SignInPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = move || {
        session
            .sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };

    view! {
        <Title text="Sign in" />
        <section class="card narrow" aria-labelledby="sign-in-heading">
            <h1 id="sign-in-heading">"Sign in"</h1>
            <ActionForm action=session.sign_in attr:class="form">
                <input type="hidden" name="next" value=next />
                <label for="email">"Email"</label>
                <input id="email" type="email" name="email" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    type="password"
                    name="password"
                    autocomplete="current-password"
                    required
                />
                <p class="error" role="alert">{error}</p>
                <button class="button" type="submit" disabled=move || session.sign_in.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
        </section>
    }
}
