//! The Operations page's columns, from the report: one per hour of the window on the reader's
//! clock, one per local day for tokens, one per sync run.

use expedite_domain::{OpsHour, SyncSummary, Timestamp};

use crate::{
    components::{
        columns::{Column, Series},
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

/// One column per hour, `values` of each; ticks at local midnight (the day) and, in windows
/// of two days or less, every six hours.
pub(super) fn hourly(
    hours: &[OpsHour],
    hydrated: bool,
    values: impl Fn(&OpsHour) -> Vec<f64>,
) -> Vec<Column> {
    let every_six = hours.len() <= 48;
    hours
        .iter()
        .map(|hour| {
            let offset = reader_offset(hour.hour, hydrated);
            let clock = format::clock(hour.hour, offset);
            let tick = if clock == "00:00" {
                format::day(hour.hour, offset)
            } else if every_six && clock.ends_with(":00") && is_sixth(&clock) {
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

fn is_sixth(clock: &str) -> bool {
    matches!(clock.get(..2), Some("06" | "12" | "18"))
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
    values: impl Fn(&SyncSummary) -> Vec<f64>,
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
    fn hours_are_ticked_at_midnight_and_every_six_hours() {
        let hours: Vec<OpsHour> = (0..24).map(|h| hour(h, 0)).collect();
        let columns = hourly(&hours, false, |h| vec![h.completed as f64]);
        let ticks: Vec<&str> = columns
            .iter()
            .map(|c| c.tick.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(ticks, ["Tue 3 Dec", "06:00", "12:00", "18:00"]);
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
