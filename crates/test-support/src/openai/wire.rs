//! The JSON the double sends: completions, stream chunks, error bodies and token estimates.

use serde_json::{Value, json};

use super::script::ToolCall;

/// The `system_fingerprint` every answer carries.
const FINGERPRINT: &str = "fp_double";

/// How many pieces a tool call's arguments are streamed in (fewer for short arguments).
const ARGUMENT_FRAGMENTS: usize = 3;

/// One completion, ready to be sent whole or as a stream.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) id: String,
    pub(crate) created: u64,
    pub(crate) model: String,
    pub(crate) content: Option<String>,
    /// Each call with the id given to it.
    pub(crate) tool_calls: Vec<(String, ToolCall)>,
    pub(crate) finish_reason: &'static str,
    pub(crate) usage: Usage,
}

/// Token counts as OpenAI reports them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Usage {
    pub(crate) prompt_tokens: u32,
    pub(crate) completion_tokens: u32,
}

impl Usage {
    fn to_json(self) -> Value {
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens.saturating_add(self.completion_tokens),
        })
    }
}

/// The non-streaming body: `object: "chat.completion"`.
pub(crate) fn completion(answer: &Answer) -> Value {
    let mut message = json!({
        "role": "assistant",
        "content": answer.content,
        "refusal": null,
    });
    if !answer.tool_calls.is_empty() {
        let calls: Vec<Value> = answer
            .tool_calls
            .iter()
            .map(|(id, call)| {
                json!({
                    "id": id,
                    "type": "function",
                    "function": { "name": call.name, "arguments": call.arguments },
                })
            })
            .collect();
        message["tool_calls"] = Value::Array(calls);
    }
    json!({
        "id": answer.id,
        "object": "chat.completion",
        "created": answer.created,
        "model": answer.model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": answer.finish_reason,
        }],
        "usage": answer.usage.to_json(),
        "system_fingerprint": FINGERPRINT,
    })
}

/// The streamed body as SSE events, `data: [DONE]` last.
///
/// The order is OpenAI's: a delta with the role, then per tool call one delta naming it (id,
/// type, name, empty arguments) followed by argument fragments, then the content in pieces,
/// then `delta: {}` with the finish reason, then (with `include_usage`) a chunk with
/// `choices: []` and the usage. With `include_usage` every other chunk has `usage: null`.
pub(crate) fn stream_events(answer: &Answer, include_usage: bool) -> Vec<String> {
    let chunk = |choices: Value, usage: Value| {
        let mut chunk = json!({
            "id": answer.id,
            "object": "chat.completion.chunk",
            "created": answer.created,
            "model": answer.model,
            "system_fingerprint": FINGERPRINT,
            "choices": choices,
        });
        if include_usage {
            chunk["usage"] = usage;
        }
        format!("data: {chunk}\n\n")
    };
    let delta = |delta: Value, finish_reason: Option<&str>| {
        let choice = json!({
            "index": 0,
            "delta": delta,
            "logprobs": null,
            "finish_reason": finish_reason,
        });
        chunk(json!([choice]), Value::Null)
    };

    let opening_content = if answer.tool_calls.is_empty() {
        json!("")
    } else {
        Value::Null
    };
    let mut events = vec![delta(
        json!({ "role": "assistant", "content": opening_content, "refusal": null }),
        None,
    )];
    for (index, (id, call)) in answer.tool_calls.iter().enumerate() {
        events.push(delta(
            json!({ "tool_calls": [{
                "index": index,
                "id": id,
                "type": "function",
                "function": { "name": call.name, "arguments": "" },
            }] }),
            None,
        ));
        for fragment in split_evenly(&call.arguments, ARGUMENT_FRAGMENTS) {
            events.push(delta(
                json!({ "tool_calls": [{ "index": index, "function": { "arguments": fragment } }] }),
                None,
            ));
        }
    }
    if let Some(content) = &answer.content {
        for piece in content.split_inclusive(char::is_whitespace) {
            events.push(delta(json!({ "content": piece }), None));
        }
    }
    events.push(delta(json!({}), Some(answer.finish_reason)));
    if include_usage {
        events.push(chunk(json!([]), answer.usage.to_json()));
    }
    events.push("data: [DONE]\n\n".to_owned());
    events
}

/// OpenAI's error body.
pub(crate) fn error_body(
    message: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Value {
    json!({ "error": { "message": message, "type": kind, "param": param, "code": code } })
}

/// A rough prompt size: about four characters per token plus a few per message, as the
/// real tokenizer gives for English text.
pub(crate) fn estimate_prompt_tokens(request: &Value) -> u32 {
    let messages = request["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let per_message: u32 = messages
        .iter()
        .map(|message| {
            4 + tokens_for(text_of(&message["content"]) + json_len(&message["tool_calls"]))
        })
        .sum();
    let tools = tokens_for(json_len(&request["tools"]));
    per_message.saturating_add(tools).saturating_add(3)
}

/// A rough answer size, at least one token.
pub(crate) fn estimate_completion_tokens(content: Option<&str>, tool_calls: &[ToolCall]) -> u32 {
    let text = content.map_or(0, |c| c.chars().count())
        + tool_calls
            .iter()
            .map(|call| call.name.len() + call.arguments.chars().count() + 8)
            .sum::<usize>();
    tokens_for(text).max(1)
}

fn tokens_for(chars: usize) -> u32 {
    u32::try_from(chars.div_ceil(4)).unwrap_or(u32::MAX)
}

/// The length of `value` as JSON text; nothing for an absent value.
fn json_len(value: &Value) -> usize {
    if value.is_null() {
        0
    } else {
        value.to_string().len()
    }
}

/// The characters of a message's content: a string, or an array of `{type:"text",text}` parts.
fn text_of(content: &Value) -> usize {
    match content {
        Value::String(text) => text.chars().count(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|part| part["text"].as_str())
            .map(|text| text.chars().count())
            .sum(),
        _ => 0,
    }
}

/// Splits `text` into at most `pieces` non-empty parts of similar length, on char boundaries.
fn split_evenly(text: &str, pieces: usize) -> Vec<&str> {
    let chars = text.chars().count();
    let size = chars.div_ceil(pieces.max(1)).max(1);
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest
            .char_indices()
            .nth(size)
            .map_or(rest.len(), |(at, _)| at);
        let (part, tail) = rest.split_at(cut);
        parts.push(part);
        rest = tail;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_evenly_keeps_every_character_in_order() {
        let text = r#"{"city":"Zürich","days":3}"#;
        let parts = split_evenly(text, 3);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), text);
        assert_eq!(split_evenly("ab", 3), ["a", "b"]);
        assert!(split_evenly("", 3).is_empty());
    }

    #[test]
    fn estimates_grow_with_the_text() {
        let short = json!({ "messages": [{ "role": "user", "content": "Hi" }] });
        let long = json!({ "messages": [{ "role": "user", "content": "word ".repeat(100) }] });
        assert!(estimate_prompt_tokens(&short) >= 1);
        assert!(estimate_prompt_tokens(&long) > estimate_prompt_tokens(&short) + 100);
        assert_eq!(estimate_completion_tokens(Some(""), &[]), 1);
        assert_eq!(estimate_completion_tokens(Some("abcdefgh"), &[]), 2);
    }
}
