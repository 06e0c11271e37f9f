//! The values of an XML body: attribute values and text, as CRS reads them (`XML:/*` and
//! `XML://@*`). A small scanner, not a parser: it only has to find the text an application
//! would read, and a malformed document still yields what it holds.

use std::borrow::Cow;

use crate::{Field, Location};

/// Attribute values and text nodes of `text`, in document order.
pub(crate) fn values<'a>(text: &str, out: &mut Vec<Field<'a>>) {
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        push_text(&rest[..open], out);
        let tag = &rest[open..];
        let close = tag.find('>').unwrap_or(tag.len());
        attributes(&tag[..close], out);
        rest = tag.get(close + 1..).unwrap_or("");
    }
    push_text(rest, out);
}

fn push_text<'a>(text: &str, out: &mut Vec<Field<'a>>) {
    let text = text.trim();
    if !text.is_empty() {
        out.push(Field {
            location: Location::BodyValue,
            name: None,
            value: Cow::Owned(text.to_owned()),
        });
    }
}

/// `name="value"` and `name='value'` inside one tag.
fn attributes<'a>(tag: &str, out: &mut Vec<Field<'a>>) {
    let mut rest = tag;
    while let Some(equals) = rest.find('=') {
        let after = rest[equals + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            rest = &rest[equals + 1..];
            continue;
        };
        let body = &after[1..];
        let end = body.find(quote).unwrap_or(body.len());
        out.push(Field {
            location: Location::BodyValue,
            name: None,
            value: Cow::Owned(body[..end].to_owned()),
        });
        rest = body.get(end + 1..).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attribute_values_and_text() {
        let mut out = Vec::new();
        values(
            r#"<?xml version="1.0"?><a b="one" c='two'>three<d/>four</a>"#,
            &mut out,
        );
        let found: Vec<&str> = out.iter().map(|f| f.value.as_ref()).collect();
        assert_eq!(found, ["1.0", "one", "two", "three", "four"]);
    }
}
