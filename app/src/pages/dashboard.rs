//! The home page: the customers in figures (totals, median, revenue by industry, customers by
//! country), the newest sync, recently changed accounts, the reader's recent questions, and
//! suggested questions that run on a click. System facts live on the admin System page.

use expedite_domain::{Overview, Role, Segment, SyncKind, dollars};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{Ask, get_overview},
    components::{
        chart::{Bar, BarChart},
        question_list::QuestionList,
        require_sign_in::RequireSignIn,
        time::LocalTime,
    },
    error::UiError,
    format,
    session::Session,
};

/// Bars per chart; the rest are summed as "Other".
const BARS: usize = 8;

/// The page's data is created here, outside the guard's suspense (see ARCHITECTURE.md).
#[component]
pub(crate) fn Dashboard() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Overview" />
        <RequireSignIn>
            <DashboardBody overview />
        </RequireSignIn>
    }
}

#[component]
fn DashboardBody(overview: Resource<Result<Overview, UiError>>) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <h1>"Overview"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading the overview…"</p> }>
            {move || Suspend::new(async move {
                let admin = matches!(session.user.await, Ok(Some(me)) if me.role == Role::Admin);
                match overview.await {
                    Ok(overview) if overview.totals.customers == 0 => view! { <NoCustomers admin /> }.into_any(),
                    Ok(overview) => view! { <OverviewView overview /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NoCustomers(admin: bool) -> impl IntoView {
    let next = if admin {
        view! { <p>"Run a Salesforce sync on the " <a href="/admin/sync">"Sync page"</a> " to bring your customers in."</p> }.into_any()
    } else {
        view! { <p>"They appear here once an administrator syncs Salesforce."</p> }.into_any()
    };
    view! {
        <section class="card empty" data-testid="overview-empty">
            <h2>"No customers yet"</h2>
            {next}
        </section>
    }
}

#[component]
fn OverviewView(overview: Overview) -> impl IntoView {
    let Overview {
        totals,
        last_sync,
        recent_customers,
        recent_questions,
        suggestions,
    } = overview;
    let median = totals
        .median_revenue
        .map(format::money_short)
        .unwrap_or_else(|| "—".to_owned());
    let synced = last_sync.map(|sync| {
        let kind = match sync.kind {
            SyncKind::Manual => "Manual sync",
            SyncKind::Scheduled => "Scheduled sync",
        };
        let written = format!("{kind}, {} records", format::count(u64::from(sync.pulled)));
        view! { <LocalTime at=sync.finished_at /> <span class="kpi-note">{written}</span> }
    });
    let industry_bars = bars(
        &totals.by_industry,
        "industry",
        |s| s.revenue,
        |s| format::money_short(s.revenue),
    );
    let country_bars = bars(
        &totals.by_country,
        "country",
        |s| s.customers as f64,
        |s| format::count(s.customers),
    );
    view! {
        <section class="kpis" aria-label="Key figures" data-testid="kpis">
            <div class="kpi">
                <span class="kpi-label">"Customers"</span>
                <span class="kpi-value" data-testid="kpi-customers">{format::count(totals.customers)}</span>
                <span class="kpi-note">{format!("{} with revenue", format::count(totals.with_revenue))}</span>
            </div>
            <div class="kpi">
                <span class="kpi-label">"Total annual revenue"</span>
                <span class="kpi-value" data-testid="kpi-revenue" title=format::money(Some(totals.total_revenue))>
                    {format::money_short(totals.total_revenue)}
                </span>
            </div>
            <div class="kpi">
                <span class="kpi-label">"Median annual revenue"</span>
                <span class="kpi-value" data-testid="kpi-median"
                    title=format::money(totals.median_revenue)>{median}</span>
            </div>
            <div class="kpi">
                <span class="kpi-label">"Last sync"</span>
                <span class="kpi-value small" data-testid="kpi-sync">
                    {synced.map(IntoAny::into_any).unwrap_or_else(|| "Not yet".into_any())}
                </span>
            </div>
        </section>
        <div class="chart-grid">
            <BarChart title="Annual revenue by industry" measure="Annual revenue and customers"
                bars=industry_bars id="chart-industry" />
            <BarChart title="Customers by country" measure="Customers and annual revenue"
                bars=country_bars id="chart-country" />
        </div>
        <Suggestions suggestions />
        <div class="chart-grid">
            <section class="card" aria-labelledby="changed-heading" data-testid="recent-customers">
                <h2 id="changed-heading">"Recently changed accounts"</h2>
                <ul class="item-list">
                    {recent_customers.into_iter().map(|customer| {
                        let href = format!("/customers/{}", customer.id);
                        let what = [customer.industry.clone(), customer.billing_country.clone()]
                            .into_iter().flatten().collect::<Vec<_>>().join(" · ");
                        view! {
                            <li>
                                <a class="item-title" href=href>{customer.name}</a>
                                <span class="item-meta">{what} " " <LocalTime at=customer.system_modstamp /></span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <a href="/customers?sort=modified_desc">"All by last change →"</a>
            </section>
            <section class="card" aria-labelledby="questions-heading" data-testid="recent-questions">
                <h2 id="questions-heading">"Your recent questions"</h2>
                <QuestionList questions=recent_questions empty="You have not asked anything yet." />
                <a href="/history">"All your questions →"</a>
            </section>
        </div>
    }
}

/// Questions to run with one click: each is a form posting the question, as the Ask page does.
#[component]
fn Suggestions(suggestions: Vec<String>) -> impl IntoView {
    let ask = ServerAction::<Ask>::new();
    let error = move || {
        ask.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.message)
    };
    view! {
        <section class="card" aria-labelledby="suggested-heading" data-testid="suggestions">
            <h2 id="suggested-heading">"Ask about your customers"</h2>
            <div class="suggestions">
                {suggestions.into_iter().map(|question| view! {
                    <ActionForm action=ask attr:class="suggestion">
                        <input type="hidden" name="prompt" value=question.clone() />
                        <button class="chip" type="submit" disabled=move || ask.pending().get()>{question}</button>
                    </ActionForm>
                }).collect_view()}
                <a class="chip ghost" href="/ask">"Ask your own…"</a>
            </div>
            <p class="error" role="alert">{error}</p>
        </section>
    }
}

/// The largest segments as bars (by `value`), the rest as "Other", each linking to the
/// customers it counts.
fn bars(
    segments: &[Segment],
    filter: &'static str,
    value: impl Fn(&Segment) -> f64,
    shown: impl Fn(&Segment) -> String,
) -> Vec<Bar> {
    let mut ranked: Vec<&Segment> = segments.iter().collect();
    ranked.sort_by(|a, b| value(b).total_cmp(&value(a)));
    let detail = |segment: &Segment| {
        format!(
            "{} · {} customer{}",
            format::money(Some(segment.revenue)),
            format::count(segment.customers),
            if segment.customers == 1 { "" } else { "s" }
        )
    };
    let mut bars: Vec<Bar> = ranked
        .iter()
        .take(BARS)
        .map(|segment| Bar {
            label: segment
                .value
                .clone()
                .unwrap_or_else(|| "Not set".to_owned()),
            value: value(segment),
            shown: shown(segment),
            detail: detail(segment),
            href: segment.value.as_ref().map(|value| {
                format!(
                    "/customers{}",
                    format::query_string(&[(filter, Some(value.as_str()))])
                )
            }),
        })
        .collect();
    let rest = &ranked[ranked.len().min(BARS)..];
    if !rest.is_empty() {
        let other = Segment {
            value: Some(format!("{} others", rest.len())),
            customers: rest.iter().map(|s| s.customers).sum(),
            revenue: dollars(
                rest.iter()
                    .map(|s| (s.revenue * 100.0).round() as i64)
                    .sum(),
            ),
        };
        bars.push(Bar {
            label: other.value.clone().unwrap_or_default(),
            value: value(&other),
            shown: shown(&other),
            detail: detail(&other),
            href: None,
        });
    }
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(value: &str, customers: u64, revenue: f64) -> Segment {
        Segment {
            value: Some(value.to_owned()),
            customers,
            revenue,
        }
    }

    #[test]
    fn the_largest_segments_become_bars_and_the_rest_one_more() {
        let segments: Vec<Segment> = (1..=10)
            .map(|n| segment(&format!("S{n}"), n, f64::from(n as u32) * 1000.0))
            .collect();
        let drawn = bars(
            &segments,
            "industry",
            |s| s.revenue,
            |s| format::money_short(s.revenue),
        );
        assert_eq!(drawn.len(), BARS + 1);
        assert_eq!(drawn[0].label, "S10");
        assert_eq!(drawn[0].href.as_deref(), Some("/customers?industry=S10"));
        let other = drawn.last().unwrap();
        assert_eq!(other.label, "2 others");
        assert_eq!(other.value, 3000.0, "S1 and S2");
        assert!(other.href.is_none());
    }
}
