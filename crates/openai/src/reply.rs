//! Reading a chat completion as OpenAI-compatible servers really send it, not only as OpenAI's
//! types describe it (design/OPENAI.md, "Compatible servers as they really behave"):
//!
//! - tool calls decide that the model called tools, whatever `finish_reason` says;
//! - a tool call without an `id` gets one (`call_<n>`), so its result can still be sent back;
//! - `arguments` as a JSON object (or array) is taken as its JSON text; empty or missing
//!   arguments are `{}`;
//! - tool calls written into `content` as JSON (`{"name", "arguments"}`, a list of them, or
//!   `{"tool_calls": [...]}`) naming an offered tool are read as tool calls;
//! - a body that carries `{"error": …}` with status 200 is the provider's error.
//!
//! Anything else that cannot be read fails with a message saying what was wrong.

use expedite_core::ai::{Finish, ModelError, ModelReply, ToolCall, ToolSpec};
use expedite_domain::TokenUsage;
use serde_json::Value;

/// The reply in `body`; `offered` are the tools the request named, `model` the configured one.
pub(crate) fn read(
    body: Value,
    offered: &[ToolSpec],
    model: &str,
) -> Result<ModelReply, ModelError> {
    if let Some(error) = body.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| error.to_string(), str::to_owned);
        return Err(ModelError::Retryable {
            message: format!("the AI provider answered with an error: {message}"),
            retry_after: None,
        });
    }
    let count = |name: &str| {
        body["usage"][name]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    };
    let usage = TokenUsage {
        prompt_tokens: count("prompt_tokens"),
        completion_tokens: count("completion_tokens"),
    };
    // Not a completion at all (a wrong URL answering 200): nothing a retry changes.
    let Some(choices) = body["choices"].as_array() else {
        return Err(unreadable(format!("choices is {}", kind(&body["choices"]))));
    };
    let Some(choice) = choices.first() else {
        return Err(ModelError::Retryable {
            message: "the AI provider returned no choices".to_owned(),
            retry_after: None,
        });
    };
    let message = &choice["message"];
    let mut content = text(&message["content"]).or_else(|| text(&message["refusal"]));
    let mut tool_calls = match &message["tool_calls"] {
        Value::Array(calls) => calls
            .iter()
            .enumerate()
            .map(|(n, call)| tool_call(call, n))
            .collect::<Result<Vec<_>, _>>()?,
        Value::Null => Vec::new(),
        other => return Err(unreadable(format!("tool_calls is {}", kind(other)))),
    };
    if tool_calls.is_empty()
        && let Some(calls) = content
            .as_deref()
            .and_then(|text| calls_in_text(text, offered))
    {
        tool_calls = calls;
        content = None;
    }
    let finish = match choice["finish_reason"].as_str() {
        _ if !tool_calls.is_empty() => Finish::ToolCalls,
        Some("length") => Finish::Length,
        Some("content_filter") => Finish::ContentFilter,
        _ => Finish::Stop,
    };
    Ok(ModelReply {
        content,
        tool_calls,
        finish,
        usage,
        model: body["model"].as_str().unwrap_or(model).to_owned(),
    })
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// One entry of `tool_calls`, the `n`-th.
fn tool_call(call: &Value, n: usize) -> Result<ToolCall, ModelError> {
    let function = &call["function"];
    let Some(name) = function["name"].as_str().filter(|name| !name.is_empty()) else {
        return Err(unreadable(format!("tool call {n} names no function")));
    };
    Ok(ToolCall {
        id: call["id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .map_or_else(|| format!("call_{n}"), str::to_owned),
        name: name.to_owned(),
        arguments: arguments(&function["arguments"]),
    })
}

/// The arguments as JSON text: a string as sent (`{}` when blank), an object as its text.
fn arguments(value: &Value) -> String {
    match value {
        Value::String(text) if text.trim().is_empty() => "{}".to_owned(),
        Value::String(text) => text.clone(),
        Value::Null => "{}".to_owned(),
        other => other.to_string(),
    }
}

/// Tool calls a server wrote into the message text as JSON, when every one names an offered
/// tool; `None` for ordinary text.
fn calls_in_text(text: &str, offered: &[ToolSpec]) -> Option<Vec<ToolCall>> {
    let trimmed = text.trim();
    let json = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .unwrap_or(trimmed)
        .trim();
    if !json.starts_with(['{', '[']) {
        return None;
    }
    let value: Value = serde_json::from_str(json).ok()?;
    let entries = match value {
        Value::Array(entries) => entries,
        Value::Object(ref object) if object.contains_key("tool_calls") => {
            object["tool_calls"].as_array()?.clone()
        }
        single @ Value::Object(_) => vec![single],
        _ => return None,
    };
    let calls: Vec<ToolCall> = entries
        .iter()
        .enumerate()
        .map(|(n, entry)| {
            // Either the wire shape (`{"function": {"name", "arguments"}}`) or the bare one.
            let function = if entry["function"].is_object() {
                &entry["function"]
            } else {
                entry
            };
            let name = function["name"].as_str()?;
            offered
                .iter()
                .any(|tool| tool.name == name)
                .then(|| ToolCall {
                    id: format!("call_{n}"),
                    name: name.to_owned(),
                    arguments: arguments(
                        function
                            .get("arguments")
                            .or_else(|| function.get("parameters"))
                            .unwrap_or(&Value::Null),
                    ),
                })
        })
        .collect::<Option<_>>()?;
    (!calls.is_empty()).then_some(calls)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn unreadable(what: String) -> ModelError {
    ModelError::Fatal(format!(
        "The AI provider's response could not be read ({what}); check that OPENAI_BASE_URL is an OpenAI-compatible endpoint."
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn offered() -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: "search_customers",
            description: "",
            parameters: json!({}),
        }]
    }

    fn body(message: Value, finish: Value) -> Value {
        json!({"model": "m", "choices": [{"index": 0, "message": message, "finish_reason": finish}],
               "usage": {"prompt_tokens": 7, "completion_tokens": 3}})
    }

    #[test]
    fn plain_text_is_text_even_when_it_looks_like_json() {
        let reply = read(
            body(json!({"content": "{\"total\": 3}"}), json!("stop")),
            &offered(),
            "x",
        )
        .unwrap();
        assert_eq!(reply.content.as_deref(), Some("{\"total\": 3}"));
        assert!(reply.tool_calls.is_empty());
        assert_eq!(
            (reply.usage.prompt_tokens, reply.usage.completion_tokens),
            (7, 3)
        );
        // A tool the request did not offer is not taken from the text either.
        let other = json!({"content": "{\"name\": \"drop_table\", \"arguments\": {}}"});
        assert!(
            read(body(other, json!("stop")), &offered(), "x")
                .unwrap()
                .tool_calls
                .is_empty()
        );
    }

    #[test]
    fn tool_calls_in_a_fenced_block_or_a_list_are_read() {
        for text in [
            "```json\n{\"name\": \"search_customers\", \"arguments\": {\"query\": \"acme\"}}\n```",
            "[{\"name\": \"search_customers\", \"parameters\": {\"query\": \"acme\"}}]",
            "{\"tool_calls\": [{\"function\": {\"name\": \"search_customers\", \"arguments\": \"{\\\"query\\\": \\\"acme\\\"}\"}}]}",
        ] {
            let reply = read(
                body(json!({"content": text}), json!("stop")),
                &offered(),
                "x",
            )
            .unwrap();
            assert_eq!(reply.finish, Finish::ToolCalls, "{text}");
            assert_eq!(reply.content, None);
            let arguments: Value = serde_json::from_str(&reply.tool_calls[0].arguments).unwrap();
            assert_eq!(arguments, json!({"query": "acme"}), "{text}");
        }
    }

    #[test]
    fn a_200_with_an_error_body_or_odd_tool_calls_says_what_went_wrong() {
        let error = read(
            json!({"error": {"message": "model not loaded"}}),
            &offered(),
            "x",
        )
        .unwrap_err();
        assert!(error.to_string().contains("model not loaded"), "{error}");
        let odd = read(
            body(json!({"tool_calls": "search"}), json!("tool_calls")),
            &offered(),
            "x",
        )
        .unwrap_err();
        assert!(
            matches!(odd, ModelError::Fatal(ref m) if m.contains("tool_calls is a string")),
            "{odd}"
        );
        let nameless = json!({"tool_calls": [{"id": "a", "function": {"arguments": "{}"}}]});
        let error = read(body(nameless, json!("tool_calls")), &offered(), "x").unwrap_err();
        assert!(error.to_string().contains("names no function"), "{error}");
    }
}
