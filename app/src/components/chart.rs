//! Bar charts drawn by the app: one row per value, its bar an SVG rectangle scaled to the
//! largest, the figure beside it as text, the exact values on hover (`<title>`) and in a table
//! for screen readers and anyone who wants the numbers.

use leptos::prelude::*;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub(crate) label: String,
    /// What the bar's length shows.
    pub(crate) value: f64,
    /// The figure printed beside the bar.
    pub(crate) shown: String,
    /// The exact values, for the tooltip and the table's second column.
    pub(crate) detail: String,
    /// Where the bar leads (e.g. the customers it counts).
    pub(crate) href: Option<String>,
}

/// A horizontal bar chart with its data as an accessible table.
#[component]
pub(crate) fn BarChart(
    /// The chart's name, also its table's caption.
    title: &'static str,
    /// What the figures measure, the table's second column ("Annual revenue").
    measure: &'static str,
    bars: Vec<Bar>,
    /// A DOM id prefix, unique on the page.
    id: &'static str,
) -> impl IntoView {
    let largest = bars.iter().map(|bar| bar.value).fold(0.0_f64, f64::max);
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    let rows = bars
        .iter()
        .map(|bar| {
            let share = if largest > 0.0 {
                (bar.value / largest * 100.0).clamp(0.0, 100.0)
            } else {
                0.0
            };
            let label = match &bar.href {
                Some(href) => view! { <a href=href.clone()>{bar.label.clone()}</a> }.into_any(),
                None => bar.label.clone().into_any(),
            };
            view! {
                <div class="bar-row" title=bar.detail.clone()>
                    <span class="bar-label">{label}</span>
                    <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                        <rect class="bar-track" x="0" y="0" width="100" height="10" />
                        <rect class="bar-fill" x="0" y="0" width=format!("{share:.2}") height="10">
                            <title>{bar.detail.clone()}</title>
                        </rect>
                    </svg>
                    <span class="bar-value">{bar.shown.clone()}</span>
                </div>
            }
        })
        .collect_view();
    let table = bars
        .into_iter()
        .map(|bar| {
            view! {
                <tr>
                    <th scope="row">{bar.label}</th>
                    <td class="number">{bar.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="card chart" aria-labelledby=labelled_by data-testid=id>
            <figcaption id=heading><h2>{title}</h2></figcaption>
            <div class="bars">{rows}</div>
            <details class="chart-data">
                <summary>"Show as a table"</summary>
                <table class="table compact">
                    <caption class="visually-hidden">{title}</caption>
                    <thead><tr><th scope="col">"Value"</th><th scope="col">{measure}</th></tr></thead>
                    <tbody>{table}</tbody>
                </table>
            </details>
        </figure>
    }
}
