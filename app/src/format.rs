//! How values read on the page. Everything here is deterministic (UTC, no locale), so the
//! server and the browser render the same text and hydration never disagrees.

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

/// `10:00:05 UTC`: a time later today, to the second.
pub(crate) fn clock(at: Timestamp) -> String {
    let text = at.to_rfc3339();
    match text.get(11..19) {
        Some(clock) => format!("{clock} UTC"),
        None => text,
    }
}

/// An amount with thousands separators, `$1,250,000`; a dash when unknown.
pub(crate) fn money(value: Option<f64>) -> String {
    let Some(value) = value.filter(|value| value.is_finite()) else {
        return "—".to_owned();
    };
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && digits != "0" {
        "-"
    } else {
        ""
    };
    format!("{sign}${grouped}")
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
    fn times_are_shown_in_utc_to_the_minute() {
        let at = Timestamp::parse("2024-05-01T10:07:59.999Z").unwrap();
        assert_eq!(time(at), "2024-05-01 10:07 UTC");
        assert_eq!(clock(at), "10:07:59 UTC");
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
