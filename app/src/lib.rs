//! Expedite's user interface: one Leptos app rendered on the server and hydrated in the browser.
//!
//! Pages load their data through server functions (see [`api`]) that call the same use-cases
//! as the REST API. With the `ssr` feature the crate also exports [`shell`], the full HTML
//! document the server renders around [`App`].

// Leptos views are nested types; the admin tables nest deeper than the default limit allows.
#![recursion_limit = "256"]
#![expect(
    unreachable_pub,
    reason = "Leptos' #[component] macro re-emits `pub(crate)` on generated items"
)]

mod answer;
pub mod api;
mod components;
pub mod error;
mod format;
#[cfg(feature = "hydrate")]
mod live;
mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};

use components::shell::Layout;
use pages::{
    admin_sync::AdminSyncPage, admin_system::AdminSystemPage, admin_users::AdminUsers,
    ask::AskPage, customer_detail::CustomerPage, customers::CustomersPage, dashboard::Dashboard,
    history::HistoryPage, not_found::NotFound, operations::AdminOperationsPage,
    query_detail::QueryPage, sign_in::SignInPage,
};
use session::Session;

/// The file name (without extension) cargo-leptos gives the JS, wasm and CSS bundles.
pub const BUNDLE_NAME: &str = "expedite";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                // The CSS's name carries its hash when the build's hash file is there.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: metadata, the router and the page layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();
    mark_hydrated();

    view! {
        <Title formatter=|page: String| format!("{page} · Expedite") />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // Data pages render after their data resolves, so they read fine without JavaScript.
                    <Route path=StaticSegment("") view=Dashboard ssr=SsrMode::Async />
                    <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/ask") view=AskPage ssr=SsrMode::Async />
                    <Route path=path!("/history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/history/:id") view=QueryPage ssr=SsrMode::Async />
                    <Route path=path!("/customers") view=CustomersPage ssr=SsrMode::Async />
                    <Route path=path!("/customers/:id") view=CustomerPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=AdminUsers ssr=SsrMode::Async />
                    <Route path=path!("/admin/sync") view=AdminSyncPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/operations") view=AdminOperationsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/system") view=AdminSystemPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The page's CSP: scripts only from this origin or carrying this response's nonce, wasm
/// compilation for hydration, and the live-reload socket of `cargo leptos watch` on loopback.
#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &LeptosOptions) {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let reload = options.reload_port;
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self' ws://127.0.0.1:{reload} ws://localhost:{reload}; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Sets `data-hydrated="true"` on `<body>` once the app is interactive in the browser.
///
/// Effects never run during server rendering, so the attribute appears only after hydration;
/// end-to-end tests wait for it before they click.
fn mark_hydrated() {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            // Setting a plain attribute cannot fail on a live <body>; nothing to report if it did.
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
