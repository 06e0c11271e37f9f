//! An answer's text, read into blocks the page renders as plain text nodes.
//!
//! Answers come from a language model and quote customer data, so they are never inserted as
//! HTML. The few structures they use are recognised here: paragraphs separated by blank lines,
//! `- ` (or `* `) bullets, and citation markers `[customer:<id>]`, which become links.

use expedite_domain::CustomerId;

/// A block of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Consecutive lines of prose, shown with their line breaks.
    Paragraph(Vec<Vec<Inline>>),
    /// Consecutive bullet lines.
    List(Vec<Vec<Inline>>),
}

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    Text(String),
    Citation(CustomerId),
}

/// Splits an answer into paragraphs and lists.
pub(crate) fn blocks(answer: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    for line in answer.lines().map(str::trim_end) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            blocks.push(None);
            continue;
        }
        let bullet = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "));
        match (bullet, blocks.last_mut()) {
            (Some(item), Some(Some(Block::List(items)))) => items.push(inlines(item)),
            (Some(item), _) => blocks.push(Some(Block::List(vec![inlines(item)]))),
            (None, Some(Some(Block::Paragraph(lines)))) => lines.push(inlines(trimmed)),
            (None, _) => blocks.push(Some(Block::Paragraph(vec![inlines(trimmed)]))),
        }
    }
    blocks.into_iter().flatten().collect()
}

/// Splits one line into text and citations. A marker with an invalid id stays text.
pub(crate) fn inlines(line: &str) -> Vec<Inline> {
    const OPEN: &str = "[customer:";
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let cited = after
            .find(']')
            .and_then(|end| Some((CustomerId::parse(after[..end].trim()).ok()?, end)));
        match cited {
            Some((id, end)) => {
                text.push_str(rest[..start].trim_end());
                if !text.is_empty() {
                    pieces.push(Inline::Text(std::mem::take(&mut text)));
                }
                pieces.push(Inline::Citation(id));
                rest = &after[end + 1..];
            }
            None => {
                text.push_str(&rest[..start + OPEN.len()]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if !text.trim().is_empty() {
        pieces.push(Inline::Text(text));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> CustomerId {
        CustomerId::parse(text).unwrap()
    }

    #[test]
    fn paragraphs_lists_and_line_breaks() {
        let answer = "Demo responder: a listing.\nSecond line.\n\n- Acme\n* Globex\n\nThat is all.";
        assert_eq!(
            blocks(answer),
            vec![
                Block::Paragraph(vec![
                    vec![Inline::Text("Demo responder: a listing.".into())],
                    vec![Inline::Text("Second line.".into())],
                ]),
                Block::List(vec![
                    vec![Inline::Text("Acme".into())],
                    vec![Inline::Text("Globex".into())],
                ]),
                Block::Paragraph(vec![vec![Inline::Text("That is all.".into())]]),
            ]
        );
    }

    #[test]
    fn citations_become_links_and_bad_ids_stay_text() {
        assert_eq!(
            inlines(
                "Acme: revenue $5.0M [customer:001000000000001AAA], see also [customer:001000000000002AAA]."
            ),
            vec![
                Inline::Text("Acme: revenue $5.0M".into()),
                Inline::Citation(id("001000000000001AAA")),
                Inline::Text(", see also".into()),
                Inline::Citation(id("001000000000002AAA")),
                Inline::Text(".".into()),
            ]
        );
        assert_eq!(
            inlines("odd [customer:../../etc] and [customer:unclosed"),
            vec![Inline::Text(
                "odd [customer:../../etc] and [customer:unclosed".into()
            )]
        );
    }

    #[test]
    fn markup_is_kept_as_text() {
        assert_eq!(
            blocks("<script>alert(1)</script>"),
            vec![Block::Paragraph(vec![vec![Inline::Text(
                "<script>alert(1)</script>".into()
            )]])]
        );
    }
}
