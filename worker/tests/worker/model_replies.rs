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

/// Compatible servers' tool calls (design/OPENAI.md): `finish_reason` `stop` or null with
/// tool calls, no ids, `arguments` as an object or empty, calls written into `content`. Each
/// is read as the call it is: the tool runs and its result goes back under an id.
#[tokio::test]
async fn tool_calls_as_compatible_servers_send_them_are_followed() {
    let search = |arguments: serde_json::Value| json!({"type": "function", "function": {"name": "search_customers", "arguments": arguments}});
    let quirks = [
        // Ollama, llama.cpp: arguments as an object, no id, finish_reason "stop".
        (
            json!({"role": "assistant", "content": null, "tool_calls": [search(json!({"text": "Acme"}))]}),
            Some("stop"),
        ),
        // vLLM while streaming: empty arguments, finish_reason null.
        (
            json!({"role": "assistant", "content": "", "tool_calls": [search(json!(""))]}),
            None,
        ),
        // Agent frameworks: the call written into the text.
        (
            json!({"role": "assistant", "content": "{\"name\": \"search_customers\", \"arguments\": {\"text\": \"Acme\"}}"}),
            Some("stop"),
        ),
    ];
    for (message, finish) in quirks {
        let script = Script::new()
            .then(Step::verbatim(message.clone(), finish))
            .then(Step::text("Acme Corporation is the one."));
        let harness = Harness::new(script, true).await;
        let query = harness
            .finished(&harness.ask("Tell me about Acme").await)
            .await;
        assert_eq!(query.status, QueryStatus::Completed, "{message}: {query:?}");
        assert_eq!(
            query.answer.as_deref(),
            Some("Acme Corporation is the one.")
        );

        let requests = harness.double.requests();
        assert_eq!(requests.len(), 2, "{message}");
        let messages = requests[1]["messages"].as_array().unwrap();
        let call = messages
            .iter()
            .find(|m| m["role"] == "assistant")
            .and_then(|m| m["tool_calls"][0].as_object().cloned())
            .expect("the call is sent back as a proper tool call");
        let id = call["id"].as_str().unwrap();
        assert!(!id.is_empty());
        assert!(call["function"]["arguments"].is_string(), "{call:?}");
        let result = messages.iter().find(|m| m["role"] == "tool").unwrap();
        assert_eq!(result["tool_call_id"], id);
        let content = result["content"].as_str().unwrap();
        assert!(
            content.contains("Acme Corporation") && !content.contains("invalid arguments"),
            "the tool ran with the arguments given: {result}"
        );
    }
}
