//! Answering questions from the customer data: the language-model port, the read-only tools
//! over the customer store, and the agent loop that ties them together.
//!
//! The port speaks a small, provider-neutral version of chat completions. The OpenAI adapter
//! (`expedite-openai`) maps it onto any OpenAI-compatible endpoint; [`DemoModel`] answers
//! without one, plainly saying so, while still calling the tools over the real data.

mod agent;
mod demo;
mod settings;
mod tools;

use std::time::Duration;

use async_trait::async_trait;
use expedite_domain::TokenUsage;
use serde_json::Value;

pub use agent::{AgentError, AgentLimits, answer};
pub use demo::{DEMO_NOTICE, DemoModel};
pub use settings::{AiProvider, AiSettings};
pub use tools::{CITATION_PREFIX, ToolBox, tool_specs};

/// One message of a conversation with the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    System(String),
    User(String),
    /// What the model said: text, tool calls, or both.
    Assistant {
        content: Option<String>,
        tool_calls: Vec<ToolCall>,
    },
    /// A tool's output, answering the call with `call_id`.
    Tool {
        call_id: String,
        content: String,
    },
}

/// The model asking to run a tool.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// The arguments as the model wrote them: a JSON object in a string, not yet trusted.
    pub arguments: String,
}

/// A tool the model may call, with its JSON Schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
}

/// One call to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    pub messages: Vec<Message>,
    /// Empty when the model must answer in text now.
    pub tools: Vec<ToolSpec>,
    pub max_completion_tokens: u32,
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Stop,
    /// Cut off at the token limit.
    Length,
    ToolCalls,
    ContentFilter,
}

/// What the model answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelReply {
    pub content: Option<String>,
    pub tool_calls: Vec<ToolCall>,
    pub finish: Finish,
    pub usage: TokenUsage,
    /// The model that answered, as the provider names it.
    pub model: String,
}

/// Why a model call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Worth trying again later (rate limit, 5xx, timeout, connection), after the client's own
    /// bounded retries were used up; `retry_after` when the provider said.
    #[error("{message}")]
    Retryable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Will not succeed by retrying (bad key, quota, context too long, malformed request); the
    /// message tells a user what to do about it.
    #[error("{0}")]
    Fatal(String),
}

/// A chat-completions model.
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// A short name for logs and the dashboard (e.g. "OpenAI gpt-4o-mini").
    fn describe(&self) -> String;

    async fn complete(&self, request: &ModelRequest) -> Result<ModelReply, ModelError>;
}
