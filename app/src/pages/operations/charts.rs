//! The Operations page's columns, from the report: one per hour of the window on the reader's
//! clock, one per local day for tokens, one per sync run.

use expedite_domain::{Operations, OpsHour, SyncSummary, Timestamp};

use crate::{
    components::{
        columns::{Column, Layout, Series},
        time::reader_offset,
    },
    format,
};

pub(super) const ANSWERED: Series = Series {
    name: "Answered",
    class: "s-ok",
};
pub(super) const FAILED: Series = Series {
    name: "Failed",
    class: "s-fail",
};
pub(super) const P95: Series = Series {
    name: "p95",
    class: "s-light",
};
pub(super) const P50: Series = Series {
    name: "p50",
    class: "s-accent",
};
pub(super) const PROMPT: Series = Series {
    name: "Prompt",
    class: "s-accent",
};
pub(super) const COMPLETION: Series = Series {
    name: "Completion",
    class: "s-light",
};
pub(super) const WAITING: Series = Series {
    name: "Most jobs waiting",
    class: "s-accent",
};
pub(super) const OLDEST: Series = Series {
    name: "Oldest waiting job",
    class: "s-warn",
};
pub(super) const BLOCKED: Series = Series {
    name: "Blocked by the filter",
    class: "s-fail",
};
pub(super) const LIMITED: Series = Series {
    name: "Refused with 429",
    class: "s-warn",
};
pub(super) const SERVER_ERRORS: Series = Series {
    name: "Server errors (5xx)",
    class: "s-fail",
};
pub(super) const RETRIES: Series = Series {
    name: "Job retries",
    class: "s-warn",
};
pub(super) const DEAD_LETTERS: Series = Series {
    name: "Dead letters",
    class: "s-dark",
};
pub(super) const SIGN_IN: Series = Series {
    name: "Failed sign-ins",
    class: "s-light",
};
pub(super) const PULLED: Series = Series {
    name: "Pulled",
    class: "s-accent",
};
pub(super) const PUSHED: Series = Series {
    name: "Pushed",
    class: "s-ok",
};
pub(super) const DELETED: Series = Series {
    name: "Deleted",
    class: "s-fail",
};
pub(super) const DURATION: Series = Series {
    name: "Duration",
    class: "s-light",
};

/// One chart of the page, ready to draw.
pub(super) struct Chart {
    pub(super) title: &'static str,
    pub(super) id: &'static str,
    pub(super) layout: Layout,
    pub(super) show: fn(f64) -> String,
    pub(super) series: Vec<Series>,
    pub(super) columns: Vec<Column>,
    pub(super) empty: &'static str,
}

fn count(value: f64) -> String {
    format::count(value as u64)
}

fn span(value: f64) -> String {
    format::span_ms(value as u64)
}

fn seconds(value: f64) -> String {
    format::span_ms(value as u64 * 1000)
}

/// Every chart of the report, in page order.
pub(super) fn charts(report: &Operations, hydrated: bool) -> Vec<Chart> {
    let hours = report.every_hour();
    let per_hour = |values: fn(&OpsHour) -> Vec<f64>| hourly(&hours, hydrated, values);
    let chart = |title, id, layout, show, series: &[Series], columns, empty| Chart {
        title,
        id,
        layout,
        show,
        series: series.to_vec(),
        columns,
        empty,
    };
    use Layout::{Overlaid, Stacked};
    vec![
        chart(
            "Questions per hour",
            "ops-questions",
            Stacked,
            count,
            &[ANSWERED, FAILED],
            per_hour(|h| vec![h.completed as f64, h.failed as f64]),
            "No questions in this window.",
        ),
        chart(
            "Model latency per hour",
            "ops-latency",
            Overlaid,
            span,
            &[P95, P50],
            per_hour(|h| {
                vec![
                    h.model_p95_ms.unwrap_or(0) as f64,
                    h.model_p50_ms.unwrap_or(0) as f64,
                ]
            }),
            "No model calls in this window.",
        ),
        chart(
            "Tokens per day",
            "ops-tokens",
            Stacked,
            count,
            &[PROMPT, COMPLETION],
            tokens_per_day(&hours, hydrated),
            "No tokens used in this window.",
        ),
        chart(
            "Job queue per hour",
            "ops-queue",
            Stacked,
            count,
            &[WAITING],
            per_hour(|h| vec![h.queue_high.unwrap_or(0) as f64]),
            "No jobs waited in this window.",
        ),
        chart(
            "Oldest waiting job per hour",
            "ops-oldest",
            Stacked,
            seconds,
            &[OLDEST],
            per_hour(|h| vec![h.oldest_job_high_secs.unwrap_or(0) as f64]),
            "No job waited long enough to be measured.",
        ),
        chart(
            "Problems per hour",
            "ops-problems",
            Stacked,
            count,
            &[SERVER_ERRORS, RETRIES, DEAD_LETTERS, SIGN_IN],
            per_hour(|h| {
                vec![
                    h.server_errors as f64,
                    h.retries as f64,
                    h.dead_letters as f64,
                    h.sign_in_failures as f64,
                ]
            }),
            "No problems in this window.",
        ),
        chart(
            "Blocked and rate-limited requests per hour",
            "ops-refused",
            Stacked,
            count,
            &[BLOCKED, LIMITED],
            per_hour(|h| vec![h.blocked as f64, h.rate_limited as f64]),
            "No request was blocked or refused in this window.",
        ),
        chart(
            "Records per sync run",
            "ops-sync-records",
            Stacked,
            count,
            &[PULLED, PUSHED, DELETED],
            per_run(&report.syncs, hydrated, |r| {
                vec![r.pulled.into(), r.pushed.into(), r.deleted.into()]
            }),
            "No sync has run yet.",
        ),
        chart(
            "Duration per sync run",
            "ops-sync-duration",
            Stacked,
            span,
            &[DURATION],
            per_run(&report.syncs, hydrated, |r| vec![r.duration_ms as f64]),
            "No sync has run yet.",
        ),
    ]
}

/// One column per hour, `values` of each; ticks at local midnight (the day) and, in windows
/// of two days or less, at noon (room for a day's name between ticks on a phone).
pub(super) fn hourly(
    hours: &[OpsHour],
    hydrated: bool,
    values: fn(&OpsHour) -> Vec<f64>,
) -> Vec<Column> {
    let noon_too = hours.len() <= 48;
    hours
        .iter()
        .map(|hour| {
            let offset = reader_offset(hour.hour, hydrated);
            let clock = format::clock(hour.hour, offset);
            let tick = if clock == "00:00" {
                format::day(hour.hour, offset)
            } else if noon_too && clock == "12:00" {
                clock.clone()
            } else {
                String::new()
            };
            Column {
                tick,
                label: format!("{}, {clock}", format::day(hour.hour, offset)),
                values: values(hour),
            }
        })
        .collect()
}

/// Prompt and completion tokens per local day.
pub(super) fn tokens_per_day(hours: &[OpsHour], hydrated: bool) -> Vec<Column> {
    let mut days: Vec<(i64, Timestamp, f64, f64)> = Vec::new();
    for hour in hours {
        let offset = reader_offset(hour.hour, hydrated);
        let day = format::day_number(hour.hour, offset);
        let (prompt, completion) = (hour.prompt_tokens as f64, hour.completion_tokens as f64);
        match days.last_mut() {
            Some(last) if last.0 == day => {
                last.2 += prompt;
                last.3 += completion;
            }
            _ => days.push((day, hour.hour, prompt, completion)),
        }
    }
    days.into_iter()
        .map(|(_, first, prompt, completion)| {
            let label = format::day(first, reader_offset(first, hydrated));
            Column {
                tick: label.clone(),
                label,
                values: vec![prompt, completion],
            }
        })
        .collect()
}

/// The runs oldest first, `values` of each, labelled by when they started.
pub(super) fn per_run(
    runs: &[SyncSummary],
    hydrated: bool,
    values: fn(&SyncSummary) -> Vec<f64>,
) -> Vec<Column> {
    runs.iter()
        .rev()
        .map(|run| {
            let offset = reader_offset(run.started_at, hydrated);
            let clock = format::clock(run.started_at, offset);
            let kind = match run.kind {
                expedite_domain::SyncKind::Manual => "manual",
                expedite_domain::SyncKind::Scheduled => "scheduled",
            };
            Column {
                tick: String::new(),
                label: format!(
                    "{}, {clock} ({kind}, {})",
                    format::day(run.started_at, offset),
                    run.status.as_str().to_lowercase()
                ),
                values: values(run),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(h: i64, prompt: u64) -> OpsHour {
        OpsHour {
            hour: Timestamp::from_millis(1_733_184_000_000 + h * 3_600_000), // 2024-12-03T00:00Z
            prompt_tokens: prompt,
            completion_tokens: 1,
            ..OpsHour::default()
        }
    }

    #[test]
    fn hours_are_ticked_at_midnight_and_noon() {
        let hours: Vec<OpsHour> = (0..24).map(|h| hour(h, 0)).collect();
        let columns = hourly(&hours, false, |h| vec![h.completed as f64]);
        let ticks: Vec<&str> = columns
            .iter()
            .map(|c| c.tick.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(ticks, ["Tue 3 Dec", "12:00"]);
        assert_eq!(columns[14].label, "Tue 3 Dec, 14:00");
    }

    #[test]
    fn tokens_are_summed_per_day() {
        let hours: Vec<OpsHour> = (20..28).map(|h| hour(h, 10)).collect();
        let days = tokens_per_day(&hours, false);
        let sums: Vec<(&str, Vec<f64>)> = days
            .iter()
            .map(|d| (d.label.as_str(), d.values.clone()))
            .collect();
        assert_eq!(
            sums,
            [
                ("Tue 3 Dec", vec![40.0, 4.0]),
                ("Wed 4 Dec", vec![40.0, 4.0])
            ]
        );
    }
}
