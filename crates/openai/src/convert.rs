//! Between the port's provider-neutral messages and OpenAI's wire types.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestToolMessage,
    ChatCompletionRequestUserMessage, ChatCompletionTool, ChatCompletionTools,
    CreateChatCompletionRequest, FunctionCall, FunctionObject,
};
use expedite_core::ai::{Message, ModelRequest};

pub(crate) fn request(model: &str, request: &ModelRequest) -> CreateChatCompletionRequest {
    let tools: Vec<ChatCompletionTools> = request
        .tools
        .iter()
        .map(|tool| {
            ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: tool.name.to_owned(),
                    description: Some(tool.description.to_owned()),
                    parameters: Some(tool.parameters.clone()),
                    strict: None,
                },
            })
        })
        .collect();
    CreateChatCompletionRequest {
        model: model.to_owned(),
        messages: request.messages.iter().map(message).collect(),
        tools: (!tools.is_empty()).then_some(tools),
        max_completion_tokens: Some(request.max_completion_tokens),
        ..Default::default()
    }
}

fn message(message: &Message) -> ChatCompletionRequestMessage {
    match message {
        Message::System(text) => ChatCompletionRequestSystemMessage::from(text.as_str()).into(),
        Message::User(text) => ChatCompletionRequestUserMessage::from(text.as_str()).into(),
        Message::Assistant {
            content,
            tool_calls,
        } => ChatCompletionRequestAssistantMessage {
            content: content.clone().map(Into::into),
            tool_calls: (!tool_calls.is_empty()).then(|| {
                tool_calls
                    .iter()
                    .map(|call| {
                        ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                            id: call.id.clone(),
                            function: FunctionCall {
                                name: call.name.clone(),
                                arguments: call.arguments.clone(),
                            },
                        })
                    })
                    .collect()
            }),
            ..Default::default()
        }
        .into(),
        Message::Tool { call_id, content } => ChatCompletionRequestToolMessage {
            content: content.as_str().into(),
            tool_call_id: call_id.clone(),
        }
        .into(),
    }
}
