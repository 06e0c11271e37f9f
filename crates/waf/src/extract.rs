//! The parts of a request an attacker controls, as separate values.

use std::borrow::Cow;

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

/// One value to inspect, with the name of the field it belongs to when it has one. Values
/// that are not UTF-8 are decoded lossily: inspected, never skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    pub location: Location,
    pub name: Option<Cow<'a, str>>,
    pub value: Cow<'a, str>,
}

/// Headers that are not text an attacker gets reflected or executed: the credentials (verified
/// cryptographically) and the cookie header (split into cookies below).
const SKIPPED_HEADERS: [&str; 3] = ["authorization", "cookie", "content-length"];

/// Every value of the request worth inspecting.
pub fn fields<'a>(
    _method: &Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    body: &'a [u8],
) -> Vec<Field<'a>> {
    let mut out = vec![Field {
        location: Location::Path,
        name: None,
        value: Cow::Borrowed(uri.path()),
    }];
    if let Some(query) = uri.query() {
        pairs(query, Location::QueryName, Location::QueryValue, &mut out);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase())
        .unwrap_or_default();
    if !body.is_empty() {
        let text = String::from_utf8_lossy(body);
        // Without a content type, clients such as curl send form encoding.
        let looks_like_form = content_type.is_empty()
            && text.contains('=')
            && !text.trim_start().starts_with(['<', '{', '[']);
        if content_type.starts_with("application/x-www-form-urlencoded") || looks_like_form {
            match text {
                Cow::Borrowed(text) => {
                    pairs(text, Location::BodyName, Location::BodyValue, &mut out)
                }
                Cow::Owned(text) => {
                    let mut owned = Vec::new();
                    pairs(&text, Location::BodyName, Location::BodyValue, &mut owned);
                    out.extend(owned.into_iter().map(Field::into_owned));
                }
            }
        } else if content_type.contains("json") {
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(json) => json_values(&json, None, &mut out),
                Err(_) => out.push(body_field(text)),
            }
        } else {
            // An XML document's values are read one by one, and the document as a whole.
            if content_type.contains("xml") || text.trim_start().starts_with("<?xml") {
                crate::xml::values(&text, &mut out);
            }
            out.push(body_field(text));
        }
    }
    for (name, value) in headers {
        let name = name.as_str();
        if SKIPPED_HEADERS.contains(&name) {
            continue;
        }
        out.push(Field {
            location: Location::Header,
            name: Some(Cow::Borrowed(name)),
            value: String::from_utf8_lossy(value.as_bytes()),
        });
    }
    for value in headers.get_all(header::COOKIE) {
        cookies(value.as_bytes(), &mut out);
    }
    out
}

impl Field<'_> {
    fn into_owned<'b>(self) -> Field<'b> {
        Field {
            location: self.location,
            name: self.name.map(|name| Cow::Owned(name.into_owned())),
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

fn cookies<'a>(header: &'a [u8], out: &mut Vec<Field<'a>>) {
    let text = String::from_utf8_lossy(header);
    let mut push = |name: Cow<'a, str>, value: Cow<'a, str>| {
        out.push(Field {
            location: Location::Cookie,
            name: None,
            value: name.clone(),
        });
        out.push(Field {
            location: Location::Cookie,
            name: Some(name),
            value,
        });
    };
    match text {
        Cow::Borrowed(text) => {
            for cookie in text.split(';') {
                let (name, value) = cookie.trim().split_once('=').unwrap_or((cookie.trim(), ""));
                push(Cow::Borrowed(name), Cow::Borrowed(value));
            }
        }
        Cow::Owned(text) => {
            for cookie in text.split(';') {
                let (name, value) = cookie.trim().split_once('=').unwrap_or((cookie.trim(), ""));
                push(Cow::Owned(name.to_owned()), Cow::Owned(value.to_owned()));
            }
        }
    }
}

fn body_field(text: Cow<'_, str>) -> Field<'_> {
    Field {
        location: Location::Body,
        name: None,
        value: text,
    }
}

/// `a=1&b=2` as names and values (still encoded; decoding happens per value).
fn pairs<'a>(text: &'a str, names: Location, values: Location, out: &mut Vec<Field<'a>>) {
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded_name = if name.contains(['%', '+']) {
            Cow::Owned(
                percent_encoding::percent_decode_str(&name.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        } else {
            Cow::Borrowed(name)
        };
        out.push(Field {
            location: names,
            name: None,
            value: Cow::Borrowed(name),
        });
        out.push(Field {
            location: values,
            name: Some(decoded_name.clone()),
            value: Cow::Borrowed(value),
        });
        // The pair as written: some attacks span the name and the value.
        if !value.is_empty() {
            out.push(Field {
                location: Location::Pair,
                name: Some(decoded_name),
                value: Cow::Borrowed(pair),
            });
        }
    }
}

/// JSON string and number values (CRS reads both as arguments) and object keys.
fn json_values<'a>(value: &serde_json::Value, key: Option<&str>, out: &mut Vec<Field<'a>>) {
    let owned_key = || key.map(|key| Cow::Owned(key.to_owned()));
    match value {
        serde_json::Value::String(text) => out.push(Field {
            location: Location::BodyValue,
            name: owned_key(),
            value: Cow::Owned(text.clone()),
        }),
        serde_json::Value::Number(number) => out.push(Field {
            location: Location::BodyValue,
            name: owned_key(),
            value: Cow::Owned(number.to_string()),
        }),
        serde_json::Value::Array(items) => {
            for item in items {
                json_values(item, key, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (name, item) in map {
                out.push(Field {
                    location: Location::BodyName,
                    name: None,
                    value: Cow::Owned(name.clone()),
                });
                json_values(item, Some(name), out);
            }
        }
        _ => {}
    }
}
