//! Page guards: signed-in users only, or administrators only.

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use expedite_domain::Role;

use crate::{pages::forbidden::Forbidden, session::Session};

#[component]
pub(crate) fn RequireSignIn(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let location = use_location();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => children.with_value(|children| children()).into_any(),
                    Ok(None) => {
                        let next = location.pathname.get_untracked();
                        view! { <Redirect path=format!("/sign-in?next={next}") /> }.into_any()
                    }
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Shows its children to administrators, the forbidden page to other signed-in users, and
/// sends everyone else to the sign-in page. The server enforces the same on every admin route.
#[component]
pub(crate) fn RequireAdmin(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let children = StoredValue::new(children);
    view! {
        <RequireSignIn>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(me)) if me.role == Role::Admin => {
                            children.with_value(|children| children()).into_any()
                        }
                        _ => view! { <Forbidden /> }.into_any(),
                    }
                })}
            </Transition>
        </RequireSignIn>
    }
}
