//! The Operations page (administrators): what Expedite did hour by hour (questions, model
//! latency, tokens, the job queue, problems, blocked and rate-limited requests) and the
//! newest sync runs, from the per-hour rollups every process adds to. It refreshes while open;
//! `?hours=24|48|168` picks the window.

mod charts;

use std::time::Duration;

use expedite_domain::{NamedCount, Operations};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::get_operations,
    components::{
        chart::{Bar, BarChart},
        columns::ColumnChart,
        refresh::RefreshSoon,
        require_sign_in::RequireAdmin,
        time::LocalTime,
    },
    error::UiError,
    format,
};

use charts::charts;

/// How often the figures are read again while the page is open.
const REFRESH_EVERY: Duration = Duration::from_secs(30);
/// The windows offered, in hours, and how they read.
const WINDOWS: [(u32, &str); 3] = [(24, "24 hours"), (48, "48 hours"), (168, "7 days")];
const DEFAULT_WINDOW: u32 = 48;

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn AdminOperationsPage() -> impl IntoView {
    let params = use_query_map();
    let window = Memo::new(move |_| {
        params
            .read()
            .get("hours")
            .and_then(|hours| hours.parse().ok())
            .filter(|hours| WINDOWS.iter().any(|(offered, _)| offered == hours))
            .unwrap_or(DEFAULT_WINDOW)
    });
    let tick = RwSignal::new(0_u32);
    let report = Resource::new(
        move || (window.get(), tick.get()),
        |(hours, _)| get_operations(hours),
    );
    view! {
        <Title text="Operations" />
        <RequireAdmin>
            <OperationsBody window tick report />
        </RequireAdmin>
    }
}

#[component]
fn OperationsBody(
    window: Memo<u32>,
    tick: RwSignal<u32>,
    report: Resource<Result<Operations, UiError>>,
) -> impl IntoView {
    let choices = WINDOWS
        .iter()
        .map(|&(hours, name)| {
            let current = move || (window.get() == hours).then_some("page");
            view! { <a class="chip" href=format!("?hours={hours}") aria-current=current>{name}</a> }
        })
        .collect_view();
    view! {
        <div class="page-head">
            <h1>"Operations"</h1>
            <nav class="suggestions" aria-label="Window">{choices}</nav>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading the figures…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! {
                        <Report report />
                        <RefreshSoon tick after=REFRESH_EVERY />
                    }.into_any(),
                    Err(error) => view! {
                        <p class="error" role="alert">{error.message}</p>
                        <RefreshSoon tick after=REFRESH_EVERY />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(report: Operations) -> impl IntoView {
    // Times are UTC until hydrated, then the reader's (see `reader_offset`).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let checked_at = report.checked_at;
    let figures = view! { <Figures report=report.clone() /> };
    let blocks = family_bars(&report.blocks, family_name);
    let limits = family_bars(&report.limited, limit_name);
    let charts = move || {
        charts(&report, hydrated.get())
            .into_iter()
            .map(|chart| {
                view! {
                    <ColumnChart title=chart.title id=chart.id layout=chart.layout show=chart.show
                        series=chart.series columns=chart.columns empty=chart.empty />
                }
            })
            .collect_view()
    };
    view! {
        <p class="muted" data-testid="ops-checked">"Figures as of " <LocalTime at=checked_at />
            ". They refresh every 30 seconds while this page is open."</p>
        {figures}
        <div class="chart-grid">{charts}</div>
        <div class="chart-grid">
            {(!blocks.is_empty()).then(|| view! {
                <BarChart title="Blocked requests by rule" measure="Requests" bars=blocks id="ops-blocks" />
            })}
            {(!limits.is_empty()).then(|| view! {
                <BarChart title="429s by limit" measure="Requests" bars=limits id="ops-limits" />
            })}
        </div>
    }
}

/// The window's totals and the queue now.
#[component]
fn Figures(report: Operations) -> impl IntoView {
    let sum = |f: fn(&expedite_domain::OpsHour) -> u64| report.hours.iter().map(f).sum::<u64>();
    let (completed, failed, submitted) = (
        sum(|h| h.completed),
        sum(|h| h.failed),
        sum(|h| h.submitted),
    );
    let calls = sum(|h| h.model_calls);
    let errors = sum(|h| h.model_errors);
    let tokens = sum(|h| h.prompt_tokens + h.completion_tokens);
    let blocked = sum(|h| h.blocked);
    let limited = sum(|h| h.rate_limited);
    let latency = match (report.model_p50_ms, report.model_p95_ms) {
        (Some(p50), Some(p95)) => format!("{} / {}", format::span_ms(p50), format::span_ms(p95)),
        _ => "–".to_owned(),
    };
    let queue = match &report.queue {
        Some(queue) => (
            format::count(queue.waiting),
            format!(
                "{} in progress · {} dead letters{}",
                format::count(queue.in_flight),
                format::count(queue.dead_letters),
                queue
                    .oldest_age_secs
                    .map(|age| format!(" · oldest waiting {}", format::span_ms(age * 1000)))
                    .unwrap_or_default()
            ),
        ),
        None => ("–".to_owned(), "The queue could not be read.".to_owned()),
    };
    let figures = [
        (
            "Questions answered",
            "ops-answered",
            format::count(completed),
            format!(
                "{} asked · {} failed",
                format::count(submitted),
                format::count(failed)
            ),
        ),
        (
            "Model latency p50 / p95",
            "ops-latency-figure",
            latency,
            format!(
                "{} calls · {} failed",
                format::count(calls),
                format::count(errors)
            ),
        ),
        (
            "Tokens",
            "ops-tokens-figure",
            format::count(tokens),
            "Prompt and completion".to_owned(),
        ),
        ("Jobs waiting now", "ops-waiting", queue.0, queue.1),
        (
            "Requests blocked",
            "ops-blocked",
            format::count(blocked),
            format!("{} refused with 429", format::count(limited)),
        ),
    ];
    let figures = figures
        .into_iter()
        .map(|(label, id, value, note)| {
            view! {
                <div class="kpi">
                    <span class="kpi-label">{label}</span>
                    <span class="kpi-value" data-testid=id>{value}</span>
                    <span class="kpi-note">{note}</span>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="kpis" aria-label="Totals for the window" data-testid="ops-figures">{figures}</section>
    }
}

fn family_bars(counts: &[NamedCount], name: fn(&str) -> String) -> Vec<Bar> {
    counts
        .iter()
        .map(|count| Bar {
            label: name(&count.name),
            value: count.count as f64,
            shown: format::count(count.count),
            detail: format!("{} requests", format::count(count.count)),
            href: None,
        })
        .collect()
}

/// A request-filter rule family as people know it.
fn family_name(family: &str) -> String {
    let known = match family {
        "lfi" => "Path traversal",
        "rce" => "Command injection",
        "xss" => "Cross-site scripting",
        "sqli" => "SQL injection",
        "ip" => "Blocked addresses",
        other => return other.to_owned(),
    };
    known.to_owned()
}

/// A rate limit as people know it.
fn limit_name(limit: &str) -> String {
    match limit {
        "requests" => "Requests per client".to_owned(),
        "sign_in" => "Sign-ins per address".to_owned(),
        "sign_in_account" => "Sign-ins per account".to_owned(),
        other => other.replace('_', " "),
    }
}
