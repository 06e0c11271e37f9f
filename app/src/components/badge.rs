//! Status badges: the status word in a coloured pill, readable without the colour.

use expedite_domain::{QueryStatus, SyncStatus};
use leptos::prelude::*;

/// A status as a badge; `status` is the API's upper-case word.
#[component]
pub(crate) fn StatusBadge(status: &'static str) -> impl IntoView {
    let class = format!("badge badge-{}", status.to_ascii_lowercase());
    view! { <span class=class>{status}</span> }
}

/// A query's status.
#[component]
pub(crate) fn QueryBadge(status: QueryStatus) -> impl IntoView {
    view! { <StatusBadge status=status.as_str() /> }
}

/// A sync run's status.
#[component]
pub(crate) fn SyncBadge(status: SyncStatus) -> impl IntoView {
    view! { <StatusBadge status=status.as_str() /> }
}
