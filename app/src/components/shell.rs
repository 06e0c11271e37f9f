//! The page frame: header with the product name, navigation and the main region.

use leptos::prelude::*;
use leptos_router::components::A;

/// Wraps every page with the header, navigation and footer.
#[component]
pub(crate) fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"▲"</span>
                "Expedite"
            </a>
            <nav aria-label="Main">
                <ul class="nav">
                    <li>
                        <A href="/" exact=true>"Dashboard"</A>
                    </li>
                </ul>
            </nav>
        </header>
        <main id="main" class="content">
            {children()}
        </main>
        <footer class="footer">
            <span>"Expedite — customer insights"</span>
        </footer>
    }
}
