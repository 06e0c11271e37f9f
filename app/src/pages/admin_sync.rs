//! Administrators: run a Salesforce sync now, and see the runs with their problems. The list
//! refreshes itself while a run is queued or running, and the "Sync queued" notice lasts until
//! the run it announced has ended.

use std::time::Duration;

use expedite_domain::{Page, SyncKind, SyncRun, SyncStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{RequestSync, list_sync_runs},
    components::{
        badge::SyncBadge, refresh::RefreshSoon, require_sign_in::RequireAdmin, time::LocalTime,
    },
    error::UiError,
    format,
};

/// The listed runs.
type Runs = Resource<Result<Page<SyncRun>, UiError>>;

/// How often the list is refreshed while a run is in progress.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// The page's data is created here, outside the guards' suspense, so the server and the
/// browser create it once and in the same order (hydration matches resources by that order).
#[component]
pub(crate) fn AdminSyncPage() -> impl IntoView {
    let run_now = ServerAction::<RequestSync>::new();
    let tick = RwSignal::new(0_u32);
    let params = use_query_map();
    let cursor = Memo::new(move |_| params.read().get("cursor"));
    let runs = Resource::new(
        move || (run_now.version().get(), tick.get(), cursor.get()),
        |(_, _, cursor)| list_sync_runs(cursor),
    );
    view! {
        <Title text="Sync" />
        <RequireAdmin>
            <SyncBody run_now tick cursor runs />
        </RequireAdmin>
    }
}

#[component]
fn SyncBody(
    run_now: ServerAction<RequestSync>,
    tick: RwSignal<u32>,
    cursor: Memo<Option<String>>,
    runs: Runs,
) -> impl IntoView {
    view! {
        <h1>"Salesforce sync"</h1>
        <RunNow run_now runs />
        <h2>"Runs"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading runs…"</p> }>
            {move || Suspend::new(async move {
                match runs.await {
                    Ok(page) => {
                        let active = page.items.iter().any(|run| in_progress(run.status));
                        view! {
                            <RunList page first=cursor.get_untracked().is_none() />
                            {active.then(|| view! { <RefreshSoon tick after=REFRESH_EVERY /> })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn in_progress(status: SyncStatus) -> bool {
    matches!(status, SyncStatus::Queued | SyncStatus::Running)
}

/// The "Run sync now" button and what became of the last press.
#[component]
fn RunNow(run_now: ServerAction<RequestSync>, runs: Runs) -> impl IntoView {
    // Until the run is listed as ended. Nothing is pressed on the first render, so `runs` is
    // read only in the browser after a press (never where hydration could disagree).
    let queued = move || {
        let Some(Ok(queued)) = run_now.value().get() else {
            return None;
        };
        let ended = runs.get().and_then(Result::ok).is_some_and(|page| {
            page.items
                .iter()
                .any(|run| run.id == queued.id && !in_progress(run.status))
        });
        (!ended).then_some("Sync queued. It appears below and updates as it runs.")
    };
    let error = move || {
        run_now
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };
    view! {
        <section class="card" aria-labelledby="run-now-heading">
            <h2 id="run-now-heading">"Run now"</h2>
            <p class="muted">
                "Every hour Expedite pulls the accounts changed in Salesforce. "
                "A manual sync pulls the changes and pushes local edits back now."
            </p>
            <ActionForm action=run_now>
                <button class="button" type="submit" disabled=move || run_now.pending().get()>
                    "Run sync now"
                </button>
            </ActionForm>
            <p class="notice" role="status">{queued}</p>
            <p class="error" role="alert" data-testid="sync-error">{error}</p>
        </section>
    }
}

/// A page of runs, newest first.
#[component]
fn RunList(page: Page<SyncRun>, first: bool) -> impl IntoView {
    if page.items.is_empty() && first {
        return view! { <p class="empty" data-testid="sync-runs-empty">"No sync has run yet."</p> }
            .into_any();
    }
    let older = page.next_cursor.map(|cursor| {
        format!(
            "/admin/sync{}",
            format::query_string(&[("cursor", Some(&cursor))])
        )
    });
    view! {
        <p class="scroll-hint" id="sync-runs-hint">"Scroll the table sideways for every column."</p>
        <div
            class="table-scroll"
            role="region"
            aria-label="Sync runs"
            aria-describedby="sync-runs-hint"
            tabindex="0"
        >
            <table class="table" data-testid="sync-runs">
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Window"</th>
                        <th scope="col" class="number">"Pulled"</th>
                        <th scope="col" class="number">"Pushed"</th>
                        <th scope="col" class="number">"Deleted"</th>
                        <th scope="col" class="number">"Pages"</th>
                        <th scope="col">"Updated"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|run| view! { <RunRows run /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {(!first).then(|| view! { <a href="/admin/sync">"Newest"</a> })}
            {older.map(|href| view! { <a href=href rel="next">"Older"</a> })}
        </nav>
    }
    .into_any()
}

/// One run, and a second row listing its issues when it has any.
#[component]
fn RunRows(run: SyncRun) -> impl IntoView {
    let kind = match run.kind {
        SyncKind::Scheduled => "Scheduled",
        SyncKind::Manual => "Manual",
    };
    // A first run has no lower bound: it reads everything up to its end.
    let window = match (run.window_start, run.window_end) {
        (None, None) => "—".into_any(),
        (None, Some(_)) => "Full sync".into_any(),
        (Some(start), end) => view! {
            <LocalTime at=start />
            " → "
            {end.map_or_else(|| "…".into_any(), |end| view! { <LocalTime at=end /> }.into_any())}
        }
        .into_any(),
    };
    // A run that paused at a worker's time limit says in how many parts it ran.
    let pages = match run.continuations {
        0 => run.pages.to_string(),
        n => format!("{} in {} parts", run.pages, n + 1),
    };
    let issues = (!run.issues.is_empty()).then(|| {
        let count = run.issues.len();
        view! {
            <tr class="issues-row">
                <td colspan="9">
                    <table class="issues" data-testid="sync-issues">
                        <caption>{format!("{count} issue{}", if count == 1 { "" } else { "s" })}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Record"</th>
                                <th scope="col">"Code"</th>
                                <th scope="col">"Message"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {run.issues.into_iter().map(|issue| view! {
                                <tr>
                                    <td><code>{issue.record_id.unwrap_or_else(|| "whole run".to_owned())}</code></td>
                                    <td><code>{issue.code}</code></td>
                                    <td>{issue.message}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </td>
            </tr>
        }
    });
    view! {
        <tr>
            <td><LocalTime at=run.created_at /></td>
            <td>{kind}</td>
            <td><SyncBadge status=run.status /></td>
            <td data-testid="sync-window">{window}</td>
            <td class="number">{run.pulled}</td>
            <td class="number">{run.pushed}</td>
            <td class="number">{run.deleted}</td>
            <td class="number" data-testid="sync-pages">{pages}</td>
            <td><LocalTime at=run.updated_at /></td>
        </tr>
        {issues}
    }
}
