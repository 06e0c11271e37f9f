//! Shown when a signed-in user opens a page their role does not allow; the status is 403.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub(crate) fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
    }
    view! {
        <Title text="Not allowed" />
        <section class="card">
            <h1>"This page is for administrators"</h1>
            <p>
                "Your account cannot open it. Ask an administrator if you need access. "
                <a href="/">"Go to the dashboard"</a>
                "."
            </p>
        </section>
    }
}
