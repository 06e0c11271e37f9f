//! The page frame: header with the product name, navigation, the session, and the main region.
//!
//! On phones the navigation and the session fold into a `<details>` menu, which opens and
//! closes without JavaScript; on wider screens the stylesheet keeps it open and hides its
//! summary (`::details-content`).

use expedite_domain::{Me, Role};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{components::time::Ticker, session::Session};

/// Wraps every page with the header, navigation and footer.
#[component]
pub(crate) fn Layout(children: Children) -> impl IntoView {
    let session = expect_context::<Session>();
    Ticker::provide();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"▲"</span>
                "Expedite"
            </a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(me)) => view! { <SignedInBar me /> }.into_any(),
                        _ => view! { <a class="nav-link push" href="/sign-in">"Sign in"</a> }.into_any(),
                    }
                })}
            </Transition>
        </header>
        <main id="main" class="content">
            {children()}
        </main>
        <footer class="footer">
            <span>"Expedite — customer insights"</span>
        </footer>
    }
}

/// Navigation for a signed-in user, their name and role, and signing out.
#[component]
fn SignedInBar(me: Me) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = me.email.clone().unwrap_or(me.username);
    let role = match me.role {
        Role::Admin => "Administrator",
        Role::User => "User",
    };
    // A link followed in the browser keeps the page, so close the menu behind it: when a link in
    // it is clicked, and on any other change of address (back, forward).
    let menu = NodeRef::<leptos::html::Details>::new();
    let close = |event: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let details = event
            .current_target()
            .and_then(|nav| nav.dyn_into::<web_sys::Element>().ok())
            .and_then(|nav| nav.closest("details").ok().flatten());
        if let Some(details) = details {
            // Removing an attribute of an element we rendered cannot fail.
            let _ = details.remove_attribute("open");
        }
    };
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        if let Some(menu) = menu.get_untracked() {
            menu.set_open(false);
        }
    });
    view! {
        <details class="menu" node_ref=menu>
            <summary class="menu-button">
                <span class="menu-icon" aria-hidden="true"></span>
                "Menu"
            </summary>
            <div class="menu-body">
        <nav aria-label="Main" on:click=close>
            <ul class="nav">
                <li>
                    <A href="/" exact=true>"Overview"</A>
                </li>
                <li>
                    <A href="/ask">"Ask"</A>
                </li>
                <li>
                    <A href="/history">"History"</A>
                </li>
                <li>
                    <A href="/customers">"Customers"</A>
                </li>
                {(me.role == Role::Admin).then(|| view! {
                    <li>
                        <A href="/admin/sync">"Sync"</A>
                    </li>
                    <li>
                        <A href="/admin/users">"Users"</A>
                    </li>
                    <li>
                        <A href="/admin/operations">"Operations"</A>
                    </li>
                    <li>
                        <A href="/admin/system">"System"</A>
                    </li>
                })}
            </ul>
        </nav>
        <div class="who push">
            <span data-testid="signed-in-as">{name}</span>
            <span class="role" data-testid="role">{role}</span>
            <ActionForm action=session.sign_out>
                <button class="button secondary" type="submit">"Sign out"</button>
            </ActionForm>
        </div>
            </div>
        </details>
    }
}
