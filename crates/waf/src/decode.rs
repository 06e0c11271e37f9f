//! The decodings an attacker relies on a server or browser to apply.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// The value as sent and as decoded (URL, `%u`, HTML entities, NULs removed), lowercased.
pub(crate) fn variants(value: &str) -> Vec<String> {
    let mut out = vec![value.to_lowercase()];
    let mut current = value.to_owned();
    // Twice: double encoding is a classic evasion.
    for _ in 0..2 {
        let decoded = url_decode(&current);
        if decoded == current {
            break;
        }
        current = decoded;
        out.push(current.to_lowercase());
    }
    let html = html_decode(&current);
    if html != current {
        out.push(html.to_lowercase());
    }
    let compact: String = current.chars().filter(|c| *c != '\0').collect();
    if compact.len() != current.len() {
        out.push(compact.to_lowercase());
    }
    // Inline comments split keywords in SQL and JavaScript alike.
    if current.contains("/*") {
        out.push(strip_comments(&current).to_lowercase());
    }
    out
}

fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `%hh`, `%uhhhh` and `+` (as space) decoding; invalid sequences stay as they are.
fn url_decode(value: &str) -> String {
    let unicode = decode_percent_u(value);
    let spaced = unicode.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

fn decode_percent_u(value: &str) -> Cow<'_, str> {
    if !value.contains("%u") && !value.contains("%U") {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find(['%']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let code = tail
            .get(2..6)
            .filter(|_| tail[1..].starts_with(['u', 'U']))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[6..];
            }
            None => {
                out.push('%');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Named and numeric HTML character references.
fn html_decode(value: &str) -> String {
    if !value.contains('&') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|end| *end <= 10);
        let decoded = end.and_then(|end| entity(&tail[1..end]));
        match (decoded, end) {
            (Some(c), Some(end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let lower = name.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("#x") {
        return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    }
    if let Some(dec) = lower.strip_prefix('#') {
        return dec.parse().ok().and_then(char::from_u32);
    }
    match lower.as_str() {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "amp" => Some('&'),
        "colon" => Some(':'),
        "lpar" => Some('('),
        "rpar" => Some(')'),
        "sol" => Some('/'),
        "tab" => Some('\t'),
        "newline" => Some('\n'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_servers_and_browsers_decode() {
        assert!(variants("%252e%252e%252f").contains(&"../".to_owned()));
        assert!(variants("%u003cscript").contains(&"<script".to_owned()));
        assert!(variants("&#x3C;img&gt;").contains(&"<img>".to_owned()));
        assert!(variants("a+b").contains(&"a b".to_owned()));
        assert_eq!(variants("plain"), vec!["plain".to_owned()]);
    }
}
