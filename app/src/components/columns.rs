//! Column charts over time drawn by the app: one column per hour (or day, or run), each an SVG
//! group of rectangles, stacked or overlaid, scaled to the largest column. Hovering a column
//! shows its label and exact figures (`<title>`); the same figures are a table for screen
//! readers and anyone who wants the numbers.

use leptos::prelude::*;

/// One measured quantity, drawn in its own colour (`class`, see `style/main.css`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Series {
    pub(crate) name: &'static str,
    pub(crate) class: &'static str,
}

/// One column: a value per series, in the series' order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    /// Printed under the column; empty to leave it unlabelled (labels every few columns).
    pub(crate) tick: String,
    /// What the column is, in full ("Tue 3 Dec, 14:00").
    pub(crate) label: String,
    pub(crate) values: Vec<f64>,
}

/// How a column's series share it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Layout {
    /// One on top of the other: the column is their sum (completed and failed questions).
    Stacked,
    /// Each from the baseline, the larger behind: for figures that contain each other (p50
    /// inside p95).
    Overlaid,
}

const WIDTH: f64 = 10.0;
const GAP: f64 = 2.0;
const HEIGHT: f64 = 100.0;

/// A column chart with a legend, its scale, and its data as a table.
#[component]
pub(crate) fn ColumnChart(
    /// The chart's name, also its table's caption.
    title: &'static str,
    /// A DOM id prefix, unique on the page.
    id: &'static str,
    series: Vec<Series>,
    columns: Vec<Column>,
    layout: Layout,
    /// How a figure reads ("1,204", "850 ms").
    show: fn(f64) -> String,
    /// Said instead of an empty chart.
    #[prop(optional)]
    empty: Option<&'static str>,
) -> impl IntoView {
    let height = |column: &Column| match layout {
        Layout::Stacked => column.values.iter().sum::<f64>(),
        Layout::Overlaid => column.values.iter().copied().fold(0.0, f64::max),
    };
    let top = columns.iter().map(height).fold(0.0_f64, f64::max);
    let heading = format!("{id}-title");
    let labelled_by = heading.clone();
    let count = columns.len().max(1);
    let view_box = format!("0 0 {} {HEIGHT}", count as f64 * WIDTH);
    let bars = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let detail = detail(column, &series, show);
            let rects = rects(column, layout, top)
                .into_iter()
                .filter(|(_, _, h)| *h > 0.0)
                .map(|(serie, y, h)| {
                    view! {
                        <rect class=series[serie].class x=format!("{:.1}", index as f64 * WIDTH + GAP / 2.0)
                            y=format!("{y:.2}") width=format!("{:.1}", WIDTH - GAP) height=format!("{h:.2}") />
                    }
                })
                .collect_view();
            view! {
                <g class="column">
                    <title>{detail}</title>
                    <rect class="column-hit" x=format!("{:.1}", index as f64 * WIDTH) y="0"
                        width=format!("{WIDTH:.1}") height=format!("{HEIGHT:.1}") />
                    {rects}
                </g>
            }
        })
        .collect_view();
    let ticks = columns
        .iter()
        .map(|column| view! { <span>{column.tick.clone()}</span> })
        .collect_view();
    let legend = series
        .iter()
        .map(|serie| {
            view! {
                <li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class=serie.class width="10" height="10" /></svg>{serie.name}</li>
            }
        })
        .collect_view();
    let head = series
        .iter()
        .map(|serie| view! { <th scope="col">{serie.name}</th> })
        .collect_view();
    let rows = columns
        .iter()
        .map(|column| {
            let cells = column
                .values
                .iter()
                .map(|value| view! { <td class="number">{show(*value)}</td> })
                .collect_view();
            view! { <tr><th scope="row">{column.label.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    let nothing = top <= 0.0;
    view! {
        <figure class="card chart" aria-labelledby=labelled_by data-testid=id>
            <figcaption id=heading><h2>{title}</h2></figcaption>
            <ul class="legend">{legend}</ul>
            {(nothing && empty.is_some()).then(|| view! { <p class="muted">{empty}</p> })}
            <div class="columns-frame">
                <span class="columns-top" aria-hidden="true">{show(top)}</span>
                <svg class="columns" viewBox=view_box preserveAspectRatio="none" role="img"
                    aria-label=format!("{title}: column chart, the figures are in the table below")>
                    {bars}
                </svg>
                <div class="columns-ticks" aria-hidden="true">{ticks}</div>
            </div>
            <details class="chart-data">
                <summary>"Show as a table"</summary>
                <div class="table-scroll">
                    <table class="table compact">
                        <caption class="visually-hidden">{title}</caption>
                        <thead><tr><th scope="col">"When"</th>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

/// The tooltip: the column's label and each series' figure.
fn detail(column: &Column, series: &[Series], show: fn(f64) -> String) -> String {
    let figures: Vec<String> = series
        .iter()
        .zip(&column.values)
        .map(|(serie, value)| format!("{}: {}", serie.name, show(*value)))
        .collect();
    format!("{}\n{}", column.label, figures.join("\n"))
}

/// Each series' rectangle as (series, y, height) in the chart's 100-unit height, drawing
/// order: stacked from the baseline up; overlaid, the largest first so smaller ones show.
fn rects(column: &Column, layout: Layout, top: f64) -> Vec<(usize, f64, f64)> {
    if top <= 0.0 {
        return Vec::new();
    }
    let scale = |value: f64| (value.max(0.0) / top * HEIGHT).min(HEIGHT);
    match layout {
        Layout::Stacked => {
            let mut base = HEIGHT;
            column
                .values
                .iter()
                .enumerate()
                .map(|(serie, value)| {
                    let h = scale(*value);
                    base -= h;
                    (serie, base.max(0.0), h)
                })
                .collect()
        }
        Layout::Overlaid => {
            let mut order: Vec<(usize, f64)> = column.values.iter().copied().enumerate().collect();
            order.sort_by(|a, b| b.1.total_cmp(&a.1));
            order
                .into_iter()
                .map(|(serie, value)| (serie, HEIGHT - scale(value), scale(value)))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[f64]) -> Column {
        Column {
            tick: String::new(),
            label: "14:00".into(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn stacked_series_sit_on_each_other() {
        let drawn = rects(&column(&[30.0, 20.0]), Layout::Stacked, 100.0);
        assert_eq!(drawn, vec![(0, 70.0, 30.0), (1, 50.0, 20.0)]);
    }

    #[test]
    fn overlaid_series_start_at_the_baseline_largest_first() {
        let drawn = rects(&column(&[20.0, 80.0]), Layout::Overlaid, 80.0);
        assert_eq!(drawn, vec![(1, 0.0, 100.0), (0, 75.0, 25.0)]);
    }

    #[test]
    fn the_tooltip_names_every_figure() {
        let series = [
            Series {
                name: "Answered",
                class: "s-ok",
            },
            Series {
                name: "Failed",
                class: "s-fail",
            },
        ];
        let shown = detail(&column(&[3.0, 1.0]), &series, |v| format!("{v}"));
        assert_eq!(shown, "14:00\nAnswered: 3\nFailed: 1");
    }
}
