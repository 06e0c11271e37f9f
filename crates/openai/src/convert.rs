//! Between the port's provider-neutral messages and OpenAI's wire types.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestToolMessage,
    ChatCompletionRequestUserMessage, ChatCompletionTool, ChatCompletionTools,
    CreateChatCompletionRequest, CreateChatCompletionResponse, FinishReason, FunctionCall,
    FunctionObject,
};
use expedite_core::ai::{Finish, Message, ModelError, ModelReply, ModelRequest, ToolCall};
use expedite_domain::TokenUsage;

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

pub(crate) fn reply(response: CreateChatCompletionResponse) -> Result<ModelReply, ModelError> {
    let usage = response
        .usage
        .as_ref()
        .map(|usage| TokenUsage {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
        })
        .unwrap_or_default();
    let Some(choice) = response.choices.into_iter().next() else {
        return Err(ModelError::Retryable {
            message: "the AI provider returned no choices".to_owned(),
            retry_after: None,
        });
    };
    let tool_calls: Vec<ToolCall> = choice
        .message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .filter_map(|call| match call {
            ChatCompletionMessageToolCalls::Function(call) => Some(ToolCall {
                id: call.id,
                name: call.function.name,
                arguments: call.function.arguments,
            }),
            ChatCompletionMessageToolCalls::Custom(_) => None,
        })
        .collect();
    let finish = match choice.finish_reason {
        Some(FinishReason::Length) => Finish::Length,
        Some(FinishReason::ContentFilter) => Finish::ContentFilter,
        Some(FinishReason::ToolCalls | FinishReason::FunctionCall) => Finish::ToolCalls,
        // Some compatible servers leave it out or say "stop" while calling tools.
        Some(FinishReason::Stop) | None if !tool_calls.is_empty() => Finish::ToolCalls,
        Some(FinishReason::Stop) | None => Finish::Stop,
    };
    let content = choice.message.content.or(choice.message.refusal);
    Ok(ModelReply {
        content,
        tool_calls,
        finish,
        usage,
        model: response.model,
    })
}
