//! Replies models really give that are not answers: a made-up tool, an empty completion. The
//! model (or the user) is told what happened, not something else.

use expedite_domain::QueryStatus;
use expedite_test_support::openai::{Script, Step};
use serde_json::json;

use crate::ai_jobs::Harness;

#[tokio::test]
async fn a_made_up_tool_with_arguments_is_told_there_is_no_such_tool() {
    let script = Script::new()
        .then(Step::tool_call(
            "find_accounts",
            json!({"industry": "Banking", "region": "EMEA"}),
        ))
        .then(Step::text("There are no banking accounts I can see."));
    let harness = Harness::new(script, true).await;
    let query = harness.finished(&harness.ask("Banks in EMEA?").await).await;
    assert_eq!(query.status, QueryStatus::Completed, "{query:?}");

    let requests = harness.double.requests();
    let messages = requests[1]["messages"].as_array().unwrap();
    let tool = messages.iter().find(|m| m["role"] == "tool").unwrap();
    let content = tool["content"].as_str().unwrap();
    assert!(
        content.contains(r#"there is no tool named \"find_accounts\""#)
            || content.contains(r#"there is no tool named "find_accounts""#),
        "{content}"
    );
    assert!(
        content.contains("search_customers"),
        "names the real tools: {content}"
    );
    assert!(!content.contains("invalid arguments"), "{content}");
}

#[tokio::test]
async fn an_empty_completion_fails_saying_so_after_one_call() {
    let harness = Harness::new(Script::new().then(Step::text("")), true).await;
    let query = harness.finished(&harness.ask("Anything?").await).await;
    assert_eq!(query.status, QueryStatus::Failed);
    let error = query.error.unwrap();
    assert!(error.contains("empty answer"), "{error}");
    assert!(!error.contains("steps"), "{error}");
    assert_eq!(harness.double.calls(), 1);
}
