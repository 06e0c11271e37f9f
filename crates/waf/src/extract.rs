//! The parts of a request an attacker controls, as separate values.

use http::{HeaderMap, Method, Uri, header};

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    QueryName,
    QueryValue,
    BodyName,
    BodyValue,
    /// A `name=value` pair as written (patterns only: its `=` is not SQL).
    Pair,
    Body,
    Cookie,
    Header,
}

/// One value to inspect, with the name of the field it belongs to when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub location: Location,
    pub name: Option<String>,
    pub value: String,
}

/// Headers that carry protocol data, tokens or addresses rather than attacker-chosen text.
const SKIPPED_HEADERS: [&str; 16] = [
    "host",
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-charset",
    "content-type",
    "content-length",
    "connection",
    "authorization",
    "cookie",
    "origin",
    "cache-control",
    "pragma",
    "upgrade-insecure-requests",
    "x-forwarded-for",
    "traceparent",
];

/// Every value of the request worth inspecting.
pub fn fields(_method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Vec<Field> {
    let mut out = vec![Field {
        location: Location::Path,
        name: None,
        value: uri.path().to_owned(),
    }];
    if let Some(query) = uri.query() {
        pairs(query, Location::QueryName, Location::QueryValue, &mut out);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !body.is_empty() {
        let text = String::from_utf8_lossy(body);
        // Without a content type, clients such as curl send form encoding.
        let looks_like_form = content_type.is_empty()
            && text.contains('=')
            && !text.trim_start().starts_with(['<', '{', '[']);
        if content_type.starts_with("application/x-www-form-urlencoded") || looks_like_form {
            pairs(&text, Location::BodyName, Location::BodyValue, &mut out);
        } else if content_type.contains("json") {
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(json) => json_strings(&json, None, &mut out),
                Err(_) => out.push(body_field(&text)),
            }
        } else {
            out.push(body_field(&text));
        }
    }
    for (name, value) in headers {
        let name = name.as_str();
        if SKIPPED_HEADERS.contains(&name) || name.starts_with("sec-") || name.starts_with("if-") {
            continue;
        }
        if let Ok(value) = value.to_str() {
            out.push(Field {
                location: Location::Header,
                name: Some(name.to_owned()),
                value: value.to_owned(),
            });
        }
    }
    for value in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for cookie in value.split(';') {
            let (name, value) = cookie.trim().split_once('=').unwrap_or((cookie.trim(), ""));
            out.push(Field {
                location: Location::Cookie,
                name: None,
                value: name.to_owned(),
            });
            out.push(Field {
                location: Location::Cookie,
                name: Some(name.to_owned()),
                value: value.to_owned(),
            });
        }
    }
    out
}

fn body_field(text: &str) -> Field {
    Field {
        location: Location::Body,
        name: None,
        value: text.to_owned(),
    }
}

/// `a=1&b=2` as names and values (still encoded; decoding happens per value).
fn pairs(text: &str, names: Location, values: Location, out: &mut Vec<Field>) {
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded_name = percent_encoding::percent_decode_str(&name.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        out.push(Field {
            location: names,
            name: None,
            value: name.to_owned(),
        });
        out.push(Field {
            location: values,
            name: Some(decoded_name.clone()),
            value: value.to_owned(),
        });
        // The pair as written: some attacks span the name and the value.
        if !value.is_empty() {
            out.push(Field {
                location: Location::Pair,
                name: Some(decoded_name),
                value: pair.to_owned(),
            });
        }
    }
}

fn json_strings(value: &serde_json::Value, key: Option<&str>, out: &mut Vec<Field>) {
    match value {
        serde_json::Value::String(text) => out.push(Field {
            location: Location::BodyValue,
            name: key.map(str::to_owned),
            value: text.clone(),
        }),
        serde_json::Value::Array(items) => {
            for item in items {
                json_strings(item, key, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (name, item) in map {
                out.push(Field {
                    location: Location::BodyName,
                    name: None,
                    value: name.clone(),
                });
                json_strings(item, Some(name), out);
            }
        }
        _ => {}
    }
}
