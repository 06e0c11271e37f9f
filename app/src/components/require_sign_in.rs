//! Page guards: signed-in users only, or administrators only.

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use expedite_domain::Role;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{pages::forbidden::Forbidden, session::Session};

/// What `next` keeps as it is: the unreserved characters and `/`, so `?next=/history` reads
/// plainly; `?`, `&`, `=`, `#`, `%` and the rest are encoded, so the whole deep link is one value.
const NEXT_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Shows its children to signed-in users and sends everyone else to the sign-in page, which
/// comes back to this page (path and query string, see [`sign_in_path`]) afterwards.
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
                        let path = sign_in_path(
                            &location.pathname.get_untracked(),
                            &location.search.get_untracked(),
                        );
                        view! { <Redirect path /> }.into_any()
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

/// `/sign-in?next=…` for a page at `pathname` with the query string `search` (with or without
/// its `?`), percent-encoded as one value. Sign-in follows `next` only to a local path
/// ([`crate::session::local_path`]).
fn sign_in_path(pathname: &str, search: &str) -> String {
    let search = search.trim_start_matches('?');
    let next = if search.is_empty() {
        pathname.to_owned()
    } else {
        format!("{pathname}?{search}")
    };
    format!("/sign-in?next={}", utf8_percent_encode(&next, NEXT_VALUE))
}

#[cfg(test)]
mod tests {
    use super::sign_in_path;
    use crate::session::local_path;

    #[test]
    fn the_sign_in_link_keeps_the_whole_deep_link() {
        assert_eq!(sign_in_path("/", ""), "/sign-in?next=/");
        assert_eq!(
            sign_in_path("/customers", "?search=a&b c&sort=name_desc"),
            "/sign-in?next=/customers%3Fsearch%3Da%26b%20c%26sort%3Dname_desc"
        );
        assert_eq!(
            sign_in_path("/ask", "query=q1"),
            "/sign-in?next=/ask%3Fquery%3Dq1"
        );
    }

    #[test]
    fn a_decoded_next_is_followed_only_when_local() {
        assert_eq!(
            local_path(Some("/customers?search=a&b c")),
            "/customers?search=a&b c"
        );
        for hostile in ["//evil.example/?x=1", "/\\evil.example", "/\t/evil.example"] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile}");
        }
    }
}
