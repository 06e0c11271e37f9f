//! A short list of questions: each links to its answer, with its status and when it was asked.

use expedite_domain::AiQuery;
use leptos::prelude::*;

use crate::components::{badge::QueryBadge, time::LocalTime};

#[component]
pub(crate) fn QuestionList(
    questions: Vec<AiQuery>,
    /// Shown when there are none.
    empty: &'static str,
) -> impl IntoView {
    if questions.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="item-list">
            {questions.into_iter().map(|query| {
                let href = format!("/history/{}", query.id);
                view! {
                    <li>
                        <a class="item-title" href=href>{query.prompt.as_str().to_owned()}</a>
                        <span class="item-meta">
                            <QueryBadge status=query.status />
                            " "
                            <LocalTime at=query.created_at />
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
