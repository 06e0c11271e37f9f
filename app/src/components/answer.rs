//! An answer rendered as text nodes only: paragraphs, bullet lists and citation links.

use expedite_domain::CustomerId;
use leptos::prelude::*;

use crate::answer::{self, Block, Inline};

/// The answer's text. Nothing in it is ever treated as HTML.
#[component]
pub(crate) fn Answer(text: String) -> impl IntoView {
    let blocks = answer::blocks(&text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(lines) => view! { <p>{paragraph(lines)}</p> }.into_any(),
            Block::List(items) => view! {
                <ul>
                    {items.into_iter().map(|item| view! { <li>{line(item)}</li> }).collect_view()}
                </ul>
            }
            .into_any(),
        })
        .collect_view();
    view! { <div class="answer" data-testid="answer">{blocks}</div> }
}

/// Lines of one paragraph, with a line break between them.
fn paragraph(lines: Vec<Vec<Inline>>) -> impl IntoView {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, pieces)| view! { {(i > 0).then(|| view! { <br /> })} {line(pieces)} })
        .collect_view()
}

/// One line: text, and citations as links to the customer.
fn line(pieces: Vec<Inline>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|piece| match piece {
            // Text is wrapped so each piece hydrates as an element next to the links.
            Inline::Text(text) => view! { <span>{text}</span> }.into_any(),
            Inline::Citation(id) => view! { <Citation id /> }.into_any(),
        })
        .collect_view()
}

/// A link to a cited customer, labelled with its id.
#[component]
pub(crate) fn Citation(id: CustomerId) -> impl IntoView {
    let href = format!("/customers/{id}");
    let label = format!("Customer {id}");
    view! {
        <a class="citation" href=href aria-label=label>
            {id.to_string()}
        </a>
    }
}
