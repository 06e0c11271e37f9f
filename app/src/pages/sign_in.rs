//! The sign-in page, with the new-password step for accounts that have a temporary password.
//! Errors never say whether an account exists.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::session::{Session, SignInStep};

#[component]
pub(crate) fn SignInPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let query = use_query_map();
    let next = Signal::derive(move || query.read().get("next").unwrap_or_default());
    let challenge = move || match session.sign_in.value().get() {
        Some(Ok(SignInStep::NewPasswordRequired { email, session })) => Some((email, session)),
        _ => None,
    };

    view! {
        <Title text="Sign in" />
        <section class="card narrow" aria-labelledby="sign-in-heading">
            {move || match challenge() {
                Some((email, challenge)) => {
                    view! { <NewPasswordForm email challenge next /> }.into_any()
                }
                None => view! { <PasswordForm next /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PasswordForm(next: Signal<String>) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = move || {
        session
            .sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };
    // `autofocus` works on a page load; after a client-side navigation (signing out, whose
    // button may still hold focus) the browser no longer applies it, so focus the field once
    // mounted, unless the visitor is already typing into another field.
    let email = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let typing = document().active_element().is_some_and(|active| {
            ["input", "textarea", "select"]
                .iter()
                .any(|field| active.tag_name().eq_ignore_ascii_case(field))
        });
        if let (false, Some(email)) = (typing, email.get()) {
            // Focusing a mounted input cannot fail in a way worth reporting.
            let _ = email.focus();
        }
    });
    view! {
        <h1 id="sign-in-heading">"Sign in"</h1>
        <ActionForm action=session.sign_in attr:class="form">
            <input type="hidden" name="next" value=next />
            <label for="email">"Email"</label>
            <input
                node_ref=email
                id="email"
                type="email"
                name="email"
                autocomplete="username"
                autofocus
                required
            />
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
    }
}

#[component]
fn NewPasswordForm(email: String, challenge: String, next: Signal<String>) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = move || {
        session
            .new_password
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };
    view! {
        <h1 id="sign-in-heading">"Choose a new password"</h1>
        <p class="muted">"Your account has a temporary password. Choose your own to finish signing in."</p>
        <ActionForm action=session.new_password attr:class="form">
            <input type="hidden" name="next" value=next />
            <input type="hidden" name="email" value=email />
            <input type="hidden" name="session" value=challenge />
            <label for="new-password">"New password"</label>
            <input
                id="new-password"
                type="password"
                name="new_password"
                autocomplete="new-password"
                minlength="12"
                required
            />
            <p class="error" role="alert">{error}</p>
            <button
                class="button"
                type="submit"
                disabled=move || session.new_password.pending().get()
            >
                "Set password and sign in"
            </button>
        </ActionForm>
    }
}
