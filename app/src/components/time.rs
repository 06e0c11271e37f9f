//! Instants as the reader's clock shows them.
//!
//! ```ignore
//! view! { "Asked " <LocalTime at=query.created_at /> }
//! ```
//!
//! renders `<time datetime="2024-05-01T10:07:59.000Z" title="…">…</time>`. The server and the
//! browser's first render show UTC (`2024-05-01 10:07 UTC`), so hydration always agrees; once
//! hydrated the text turns local and relative (`3 min ago`, `yesterday 14:05`, `3 May, 14:05`,
//! see [`format::relative`]) with the exact local time in the tooltip, and it is redrawn every
//! [`TICK`] while the page is open. Without JavaScript the UTC text stays.

use std::time::Duration;

use expedite_domain::Timestamp;
use leptos::prelude::*;

use crate::format;

/// How often relative times are redrawn.
pub(crate) const TICK: Duration = Duration::from_secs(30);

/// A clock shared by every [`LocalTime`] on the page: one timer, not one per time shown.
/// [`Layout`](crate::components::shell::Layout) provides it; without it times do not redraw.
#[derive(Clone, Copy)]
pub(crate) struct Ticker(RwSignal<u32>);

impl Ticker {
    /// Starts the page's clock (in the browser only) and offers it to the components below.
    pub(crate) fn provide() {
        let tick = RwSignal::new(0_u32);
        Effect::new(move |_| {
            if let Ok(handle) = set_interval_with_handle(
                move || {
                    tick.try_update(|tick| *tick = tick.wrapping_add(1));
                },
                TICK,
            ) {
                on_cleanup(move || handle.clear());
            }
        });
        provide_context(Self(tick));
    }
}

/// `at` as a `<time>` element: UTC until hydrated, then the reader's local, relative time.
#[component]
pub(crate) fn LocalTime(
    /// The instant to show.
    at: Timestamp,
) -> impl IntoView {
    let ticker = use_context::<Ticker>();
    // Effects never run on the server, and in the browser only after this node is hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let reading = move || {
        if !hydrated.get() {
            return (format::time(at), format::exact(at, 0));
        }
        if let Some(Ticker(tick)) = ticker {
            tick.track();
        }
        let offset = browser::offset_minutes(at);
        (
            format::relative(browser::now(), at, offset),
            format::exact(at, offset),
        )
    };
    let reading = Memo::new(move |_| reading());
    view! {
        <time datetime=at.to_rfc3339() title=move || reading.get().1>
            {move || reading.get().0}
        </time>
    }
}

/// Minutes east of UTC at `at` on the reader's clock once `hydrated`; before that (and on the
/// server) 0, so the first render is UTC and hydration agrees.
pub(crate) fn reader_offset(at: Timestamp, hydrated: bool) -> i32 {
    if hydrated {
        browser::offset_minutes(at)
    } else {
        0
    }
}

/// The browser's clock and zone. Only called once hydrated; the server build keeps UTC.
mod browser {
    use expedite_domain::Timestamp;

    #[cfg(feature = "hydrate")]
    pub(super) fn now() -> Timestamp {
        // Whole milliseconds since the epoch: exact in an f64, and they fit an i64.
        Timestamp::from_millis(leptos::web_sys::js_sys::Date::now() as i64)
    }

    /// Minutes east of UTC at `at` (daylight saving included), as JavaScript's `Date` sees it.
    #[cfg(feature = "hydrate")]
    pub(super) fn offset_minutes(at: Timestamp) -> i32 {
        let date = leptos::web_sys::js_sys::Date::new(&(at.as_millis() as f64).into());
        // Offsets are whole minutes (a few historic zones had seconds; those round away).
        let west = date.get_timezone_offset() as i32;
        -west
    }

    #[cfg(not(feature = "hydrate"))]
    pub(super) fn now() -> Timestamp {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }

    #[cfg(not(feature = "hydrate"))]
    pub(super) fn offset_minutes(_at: Timestamp) -> i32 {
        0
    }
}
