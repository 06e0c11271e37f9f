//! Asks for fresh data a little later, in the browser only.

use std::time::Duration;

use leptos::prelude::*;

/// Bumps `tick` once, `after` this component is shown, so resources keyed on it refetch.
/// Leaving the page (or re-rendering) before then cancels it.
#[component]
pub(crate) fn RefreshSoon(tick: RwSignal<u32>, after: Duration) -> impl IntoView {
    Effect::new(move |_| {
        if let Ok(handle) = set_timeout_with_handle(
            move || {
                tick.try_update(|tick| *tick += 1);
            },
            after,
        ) {
            on_cleanup(move || handle.clear());
        }
    });
}
