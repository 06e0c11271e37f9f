//! How values read on the page. Everything here is deterministic (no locale, and no clock or
//! zone but the ones passed in), so the server and the browser render the same text and
//! hydration never disagrees. [`relative`] and [`exact`] are what
//! [`LocalTime`](crate::components::time::LocalTime) shows once it knows the reader's zone.

use expedite_domain::Timestamp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters a query-string value keeps as they are (RFC 3986 unreserved).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `2024-05-01 10:00 UTC`.
pub(crate) fn time(at: Timestamp) -> String {
    let text = at.to_rfc3339();
    match (text.get(..10), text.get(11..16)) {
        (Some(date), Some(clock)) => format!("{date} {clock} UTC"),
        _ => text,
    }
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A wall-clock reading of an instant in a zone `offset_minutes` east of UTC.
struct Civil {
    /// Days since 1970-01-01 in that zone (for "today" and "yesterday").
    day: i64,
    year: i64,
    month: usize,
    date: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

impl Civil {
    fn of(at: Timestamp, offset_minutes: i32) -> Self {
        let local = at.as_millis() + i64::from(offset_minutes) * MINUTE_MS;
        let day = local.div_euclid(DAY_MS);
        let seconds = local.rem_euclid(DAY_MS) / 1000;
        // Howard Hinnant's civil_from_days: proleptic Gregorian, exact for any day.
        let z = day + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let date = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            day,
            year,
            month: usize::try_from(month - 1).unwrap_or(0),
            date,
            hour: seconds / 3600,
            minute: seconds / 60 % 60,
            second: seconds % 60,
        }
    }

    fn clock(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    fn weekday(&self) -> &'static str {
        // 1970-01-01 was a Thursday.
        let index = usize::try_from((self.day + 3).rem_euclid(7)).unwrap_or(0);
        WEEKDAYS[index]
    }
}

/// How long ago (or how soon) `then` is, read at `now` by someone `offset_minutes` east of UTC:
/// `just now`, `3 min ago`, `in 5 min`, `today 14:05`, `yesterday 14:05`, `tomorrow 09:00`,
/// `3 May, 14:05` this year and `3 May 2023` before.
pub(crate) fn relative(now: Timestamp, then: Timestamp, offset_minutes: i32) -> String {
    let ago = now.as_millis() - then.as_millis();
    if ago.abs() < MINUTE_MS {
        return "just now".to_owned();
    }
    if ago > 0 && ago < 60 * MINUTE_MS {
        return format!("{} min ago", ago / MINUTE_MS);
    }
    if ago < 0 && -ago < 60 * MINUTE_MS {
        return format!("in {} min", -ago / MINUTE_MS);
    }
    let (today, at) = (
        Civil::of(now, offset_minutes),
        Civil::of(then, offset_minutes),
    );
    let month = MONTHS[at.month];
    match at.day - today.day {
        0 => format!("today {}", at.clock()),
        -1 => format!("yesterday {}", at.clock()),
        1 => format!("tomorrow {}", at.clock()),
        _ if at.year == today.year => format!("{} {month}, {}", at.date, at.clock()),
        _ => format!("{} {month} {}", at.date, at.year),
    }
}

/// The exact wall-clock time with its zone, for a tooltip: `Wed 1 May 2024, 10:07:59 UTC`, or
/// `… 06:07:59 UTC−04:00` for a reader four hours west of UTC.
pub(crate) fn exact(at: Timestamp, offset_minutes: i32) -> String {
    let civil = Civil::of(at, offset_minutes);
    let zone = match offset_minutes {
        0 => "UTC".to_owned(),
        offset => {
            let sign = if offset < 0 { '−' } else { '+' };
            let offset = offset.unsigned_abs();
            format!("UTC{sign}{:02}:{:02}", offset / 60, offset % 60)
        }
    };
    format!(
        "{} {} {} {}, {}:{:02} {zone}",
        civil.weekday(),
        civil.date,
        MONTHS[civil.month],
        civil.year,
        civil.clock(),
        civil.second
    )
}

/// `14:00`: the time of day on a clock `offset_minutes` east of UTC.
pub(crate) fn clock(at: Timestamp, offset_minutes: i32) -> String {
    Civil::of(at, offset_minutes).clock()
}

/// `Tue 3 Dec`: the calendar day on that clock.
pub(crate) fn day(at: Timestamp, offset_minutes: i32) -> String {
    let civil = Civil::of(at, offset_minutes);
    format!("{} {} {}", civil.weekday(), civil.date, MONTHS[civil.month])
}

/// Days since 1970-01-01 on that clock: equal for instants of one local day.
pub(crate) fn day_number(at: Timestamp, offset_minutes: i32) -> i64 {
    Civil::of(at, offset_minutes).day
}

/// A span of time at a glance: `850 ms`, `2.4 s`, `3 min 20 s`, `2 h 5 min`.
pub(crate) fn span_ms(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{} min {} s", ms / 60_000, ms / 1000 % 60),
        _ => format!("{} h {} min", ms / 3_600_000, ms / 60_000 % 60),
    }
}

/// An amount with thousands separators, `$1,250,000`; a dash when unknown.
pub(crate) fn money(value: Option<f64>) -> String {
    let Some(value) = value.filter(|value| value.is_finite()) else {
        return "—".to_owned();
    };
    let digits = format!("{:.0}", value.abs());
    let sign = if value < 0.0 && digits != "0" {
        "-"
    } else {
        ""
    };
    format!("{sign}${}", grouped(&digits))
}

/// A short amount for charts and headline figures: `$1.3B`, `$12.5M`, `$940K`, `$310`.
pub(crate) fn money_short(value: f64) -> String {
    let size = value.abs();
    let (scaled, unit) = match size {
        s if s >= 1e9 => (value / 1e9, "B"),
        s if s >= 1e6 => (value / 1e6, "M"),
        s if s >= 1e3 => (value / 1e3, "K"),
        _ => return format!("${value:.0}"),
    };
    let text = if scaled.abs() >= 100.0 {
        format!("{scaled:.0}")
    } else {
        format!("{scaled:.1}")
    };
    format!("${}{unit}", text.trim_end_matches(".0"))
}

/// A whole number with thousands separators, `2,499`.
pub(crate) fn count(value: u64) -> String {
    grouped(&value.to_string())
}

fn grouped(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `?name=value&…` for the pairs that have a non-empty value; empty when none do.
pub(crate) fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .filter_map(|(name, value)| {
            let value = value.filter(|value| !value.is_empty())?;
            Some(format!(
                "{name}={}",
                utf8_percent_encode(value, QUERY_VALUE)
            ))
        })
        .collect();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{}", encoded.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_short_amounts_read_at_a_glance() {
        assert_eq!(count(2_499), "2,499");
        assert_eq!(count(7), "7");
        assert_eq!(money_short(1_260_000_000.0), "$1.3B");
        assert_eq!(money_short(12_000_000.0), "$12M");
        assert_eq!(money_short(940_400.0), "$940K");
        assert_eq!(money_short(310.4), "$310");
    }

    #[test]
    fn times_are_shown_in_utc_to_the_minute() {
        let at = Timestamp::parse("2024-05-01T10:07:59.999Z").unwrap();
        assert_eq!(time(at), "2024-05-01 10:07 UTC");
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn recent_times_read_as_minutes_ago_or_ahead() {
        let now = at("2024-05-01T10:00:00Z");
        assert_eq!(relative(now, at("2024-05-01T09:59:30Z"), 0), "just now");
        assert_eq!(relative(now, at("2024-05-01T10:00:20Z"), 120), "just now");
        assert_eq!(relative(now, at("2024-05-01T09:57:00Z"), 0), "3 min ago");
        assert_eq!(relative(now, at("2024-05-01T09:00:01Z"), 0), "59 min ago");
        assert_eq!(relative(now, at("2024-05-01T10:05:10Z"), 0), "in 5 min");
    }

    #[test]
    fn older_times_read_by_the_readers_calendar_day() {
        let now = at("2024-05-01T10:00:00Z");
        assert_eq!(relative(now, at("2024-05-01T02:05:00Z"), 0), "today 02:05");
        // 02:05 UTC is 22:05 the day before in New York (UTC−4 in May), where it is 06:00 now.
        assert_eq!(
            relative(now, at("2024-05-01T02:05:00Z"), -240),
            "yesterday 22:05"
        );
        assert_eq!(
            relative(now, at("2024-04-30T14:05:00Z"), 0),
            "yesterday 14:05"
        );
        assert_eq!(
            relative(now, at("2024-05-02T09:00:00Z"), 0),
            "tomorrow 09:00"
        );
        assert_eq!(relative(now, at("2024-03-03T14:05:00Z"), 0), "3 Mar, 14:05");
        assert_eq!(relative(now, at("2023-12-31T23:30:00Z"), 0), "31 Dec 2023");
        // In Tokyo (UTC+9) that instant is already 1 Jan 2024.
        assert_eq!(
            relative(now, at("2023-12-31T23:30:00Z"), 540),
            "1 Jan, 08:30"
        );
    }

    #[test]
    fn exact_times_name_the_weekday_and_the_zone() {
        let instant = at("2024-05-01T10:07:59.999Z");
        assert_eq!(exact(instant, 0), "Wed 1 May 2024, 10:07:59 UTC");
        assert_eq!(exact(instant, -240), "Wed 1 May 2024, 06:07:59 UTC−04:00");
        assert_eq!(exact(instant, 330), "Wed 1 May 2024, 15:37:59 UTC+05:30");
        assert_eq!(
            exact(at("2024-02-29T23:59:59Z"), 60),
            "Fri 1 Mar 2024, 00:59:59 UTC+01:00"
        );
        assert_eq!(
            exact(at("1969-12-31T23:00:00Z"), 0),
            "Wed 31 Dec 1969, 23:00:00 UTC"
        );
    }

    #[test]
    fn hours_days_and_spans_read_on_the_readers_clock() {
        let at = at("2024-12-03T23:30:00Z");
        assert_eq!(
            (clock(at, 0), day(at, 0)),
            ("23:30".into(), "Tue 3 Dec".into())
        );
        assert_eq!(
            (clock(at, 60), day(at, 60)),
            ("00:30".into(), "Wed 4 Dec".into())
        );
        assert_eq!(day_number(at, 60), day_number(at, 0) + 1);
        let spans: Vec<String> = [850, 2_400, 200_000, 7_500_000].map(span_ms).into();
        assert_eq!(spans, ["850 ms", "2.4 s", "3 min 20 s", "2 h 5 min"]);
    }

    #[test]
    fn money_is_grouped_by_thousands() {
        assert_eq!(money(Some(1_250_000.4)), "$1,250,000");
        assert_eq!(money(Some(999.0)), "$999");
        assert_eq!(money(Some(-12_345.0)), "-$12,345");
        assert_eq!(money(Some(0.0)), "$0");
        assert_eq!(money(None), "—");
        assert_eq!(money(Some(f64::NAN)), "—");
    }

    #[test]
    fn query_strings_encode_values_and_skip_empty_ones() {
        assert_eq!(
            query_string(&[
                ("search", Some("a&b c")),
                ("sort", None),
                ("cursor", Some(""))
            ]),
            "?search=a%26b%20c"
        );
        assert_eq!(query_string(&[("sort", None)]), "");
        assert_eq!(
            query_string(&[("cursor", Some("eyJ=")), ("sort", Some("name_desc"))]),
            "?cursor=eyJ%3D&sort=name_desc"
        );
    }
}
