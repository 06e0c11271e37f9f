//! Checks a chat completions request the way OpenAI does, with OpenAI's 400 messages, so a
//! client bug (a tool result without its call, a missing model) fails against the double too.

use serde_json::{Map, Value};

use super::failure::Failure;

/// The roles OpenAI accepts, in the order its error message lists them.
const ROLES: [&str; 6] = [
    "system",
    "assistant",
    "user",
    "function",
    "tool",
    "developer",
];

/// What the double needs from a valid request.
#[derive(Debug)]
pub(crate) struct ChatRequest {
    pub(crate) model: String,
    pub(crate) stream: bool,
    pub(crate) include_usage: bool,
}

/// Parses and checks `body`; `Err` is the 400 OpenAI would answer.
pub(crate) fn chat_request(body: &Value) -> Result<ChatRequest, Failure> {
    let Some(body) = body.as_object() else {
        return Err(unparsable_body());
    };
    let model = match body.get("model") {
        Some(Value::String(model)) if !model.is_empty() => model.clone(),
        _ => {
            return Err(Failure::invalid_request(
                "you must provide a model parameter",
                None,
                None,
            ));
        }
    };
    messages(body)?;
    tools(body)?;
    let stream = match body.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(stream)) => *stream,
        Some(other) => return Err(invalid_type("stream", "a boolean", other)),
    };
    let include_usage = match body.get("stream_options") {
        None | Some(Value::Null) => false,
        Some(_) if !stream => {
            return Err(Failure::invalid_request(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                Some("stream_options"),
                None,
            ));
        }
        Some(Value::Object(options)) => options.get("include_usage") == Some(&Value::Bool(true)),
        Some(other) => return Err(invalid_type("stream_options", "an object", other)),
    };
    if let Some(limit) = body.get("max_completion_tokens").filter(|v| !v.is_null()) {
        match limit.as_i64() {
            Some(1..) => {}
            Some(low) => {
                let message = format!(
                    "Invalid 'max_completion_tokens': integer below minimum value. Expected a \
                     value >= 1, but got {low} instead."
                );
                return Err(Failure::invalid_request(
                    &message,
                    Some("max_completion_tokens"),
                    Some("integer_below_min_value"),
                ));
            }
            None => return Err(invalid_type("max_completion_tokens", "an integer", limit)),
        }
    }
    Ok(ChatRequest {
        model,
        stream,
        include_usage,
    })
}

/// The 400 for a body that is not a JSON object.
pub(crate) fn unparsable_body() -> Failure {
    Failure::invalid_request(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't \
         using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was \
         sent was not valid JSON.)",
        None,
        None,
    )
}

/// The messages: present, non-empty, each with a known role and what that role requires, and
/// every tool call answered by tool messages right after it.
fn messages(body: &Map<String, Value>) -> Result<(), Failure> {
    let messages = match body.get("messages") {
        None => return Err(missing("messages")),
        Some(Value::Array(messages)) => messages,
        Some(other) => return Err(invalid_type("messages", "an array", other)),
    };
    if messages.is_empty() {
        return Err(Failure::invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got \
             an empty array instead.",
            Some("messages"),
            Some("empty_array"),
        ));
    }
    // Tool call ids still waiting for their tool message, and where they were asked for.
    let mut pending: Vec<String> = Vec::new();
    let mut asked_at = 0;
    for (i, message) in messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        let Some(message) = message.as_object() else {
            return Err(invalid_type(&at, "an object", message));
        };
        let role = match message.get("role") {
            None => return Err(missing(&format!("{at}.role"))),
            Some(Value::String(role)) if ROLES.contains(&role.as_str()) => role.as_str(),
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), |r| format!("'{r}'"));
                let message = format!(
                    "Invalid value: {shown}. Supported values are: 'system', 'assistant', \
                     'user', 'function', 'tool', and 'developer'."
                );
                let param = format!("{at}.role");
                return Err(Failure::invalid_request(
                    &message,
                    Some(&param),
                    Some("invalid_value"),
                ));
            }
        };
        if role != "tool" && !pending.is_empty() {
            return Err(unanswered(asked_at, &pending));
        }
        let has_content = message.get("content").is_some_and(|c| !c.is_null());
        match role {
            "assistant" => {
                pending = tool_call_ids(message, &at)?;
                asked_at = i;
                if !has_content && pending.is_empty() && !message.contains_key("refusal") {
                    return Err(missing(&format!("{at}.content")));
                }
            }
            "tool" => {
                let Some(id) = message.get("tool_call_id").and_then(Value::as_str) else {
                    return Err(missing(&format!("{at}.tool_call_id")));
                };
                let Some(found) = pending.iter().position(|p| p == id) else {
                    return Err(Failure::invalid_request(
                        "Invalid parameter: messages with role 'tool' must be a response to a \
                         preceding message with 'tool_calls'.",
                        Some(&format!("{at}.role")),
                        None,
                    ));
                };
                pending.remove(found);
                if !has_content {
                    return Err(missing(&format!("{at}.content")));
                }
            }
            _ if !has_content => return Err(missing(&format!("{at}.content"))),
            _ => {}
        }
    }
    if pending.is_empty() {
        Ok(())
    } else {
        Err(unanswered(asked_at, &pending))
    }
}

/// The ids of an assistant message's `tool_calls`, each checked for OpenAI's required fields.
fn tool_call_ids(message: &Map<String, Value>, at: &str) -> Result<Vec<String>, Failure> {
    let calls = match message.get("tool_calls") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(calls)) => calls,
        Some(other) => return Err(invalid_type(&format!("{at}.tool_calls"), "an array", other)),
    };
    let mut ids = Vec::with_capacity(calls.len());
    for (j, call) in calls.iter().enumerate() {
        let at = format!("{at}.tool_calls[{j}]");
        let Some(id) = call["id"].as_str() else {
            return Err(missing(&format!("{at}.id")));
        };
        if call["type"] != "function" {
            return Err(missing(&format!("{at}.type")));
        }
        if call["function"]["name"].as_str().is_none() {
            return Err(missing(&format!("{at}.function.name")));
        }
        if call["function"]["arguments"].as_str().is_none() {
            return Err(missing(&format!("{at}.function.arguments")));
        }
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// `tools` (each a named function) and `tool_choice` (only together with tools).
fn tools(body: &Map<String, Value>) -> Result<(), Failure> {
    let tools = match body.get("tools") {
        None | Some(Value::Null) => None,
        Some(Value::Array(tools)) => Some(tools),
        Some(other) => return Err(invalid_type("tools", "an array", other)),
    };
    for (i, tool) in tools.into_iter().flatten().enumerate() {
        if tool["type"] != "function" {
            return Err(missing(&format!("tools[{i}].type")));
        }
        if tool["function"]["name"].as_str().is_none() {
            return Err(missing(&format!("tools[{i}].function.name")));
        }
    }
    let has_choice = body.get("tool_choice").is_some_and(|c| !c.is_null());
    if has_choice && tools.is_none_or(Vec::is_empty) {
        return Err(Failure::invalid_request(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are \
             specified.",
            Some("tool_choice"),
            None,
        ));
    }
    Ok(())
}

fn missing(param: &str) -> Failure {
    let message = format!("Missing required parameter: '{param}'.");
    Failure::invalid_request(&message, Some(param), Some("missing_required_parameter"))
}

fn invalid_type(param: &str, expected: &str, got: &Value) -> Failure {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let message =
        format!("Invalid type for '{param}': expected {expected}, but got {got} instead.");
    Failure::invalid_request(&message, Some(param), Some("invalid_type"))
}

fn unanswered(asked_at: usize, pending: &[String]) -> Failure {
    let message = format!(
        "An assistant message with 'tool_calls' must be followed by tool messages responding to \
         each 'tool_call_id'. The following tool_call_ids did not have response messages: {}",
        pending.join(", ")
    );
    Failure::invalid_request(&message, Some(&format!("messages.[{asked_at}].role")), None)
}
