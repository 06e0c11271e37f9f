//! The page frame: header with the product name, navigation, the session, and the main region.

use expedite_domain::{Me, Role};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::session::Session;

/// Wraps every page with the header, navigation and footer.
#[component]
pub(crate) fn Layout(children: Children) -> impl IntoView {
    let session = expect_context::<Session>();
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
    view! {
        <nav aria-label="Main">
            <ul class="nav">
                <li>
                    <A href="/" exact=true>"Dashboard"</A>
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
    }
}
