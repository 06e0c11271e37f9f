//! The scenario table: what the double answers, in which order, and how slowly.

use std::{collections::VecDeque, fmt, sync::Arc, time::Duration};

use serde_json::Value;

/// Builds the answer for a request when the scripted queue is empty.
pub(crate) type Fallback = Arc<dyn Fn(&Value) -> Step + Send + Sync>;

/// A scenario: an ordered queue of [`Step`]s, one consumed per valid request, and a fallback
/// that answers once the queue is empty.
///
/// Requests the double refuses before they reach the "model" (no API key, an invalid body)
/// consume no step, just as a refused request costs nothing at OpenAI.
pub struct Script {
    pub(crate) steps: VecDeque<Step>,
    pub(crate) fallback: Fallback,
}

impl Script {
    /// An empty queue whose fallback answers with a short text saying it is the double.
    pub fn new() -> Self {
        Self {
            steps: VecDeque::new(),
            fallback: Arc::new(|_| Step::text(DEFAULT_ANSWER)),
        }
    }

    /// Appends `step` to the queue.
    pub fn then(mut self, step: Step) -> Self {
        self.steps.push_back(step);
        self
    }

    /// Answers with `f(request body)` whenever the queue is empty.
    pub fn fallback(mut self, f: impl Fn(&Value) -> Step + Send + Sync + 'static) -> Self {
        self.fallback = Arc::new(f);
        self
    }
}

impl Default for Script {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Script")
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

/// What the default fallback says.
pub const DEFAULT_ANSWER: &str = "This is the local OpenAI double answering.";

/// One scripted answer: a message or an error, optionally held for a while.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub(crate) reply: Reply,
    pub(crate) delay: Duration,
    pub(crate) usage: Option<(u32, u32)>,
}

/// The body of a step.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reply {
    Message {
        content: Option<String>,
        tool_calls: Vec<ToolCall>,
        finish_reason: &'static str,
    },
    Error(ErrorKind),
    /// `choices[0].message` and `finish_reason` exactly as given, for the shapes compatible
    /// servers send that OpenAI never does.
    Verbatim {
        message: Value,
        finish_reason: Option<String>,
    },
}

/// A function call the "model" asks for; the id is made up when the step is answered.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ToolCall {
    pub(crate) name: String,
    /// The JSON text sent as `function.arguments`.
    pub(crate) arguments: String,
}

impl Step {
    /// An assistant message with `finish_reason: "stop"`.
    pub fn text(content: &str) -> Self {
        Self::message(Some(content), Vec::new(), "stop")
    }

    /// An assistant message cut off by the token limit: `finish_reason: "length"`.
    pub fn truncated(content: &str) -> Self {
        Self::message(Some(content), Vec::new(), "length")
    }

    /// An assistant message withheld by the moderation: `finish_reason: "content_filter"`.
    pub fn content_filtered(content: &str) -> Self {
        Self::message(Some(content), Vec::new(), "content_filter")
    }

    /// One function call: `content: null`, `finish_reason: "tool_calls"`.
    ///
    /// `arguments` is sent as its JSON text; a JSON string is sent verbatim instead, so a
    /// test can script arguments that are not valid JSON.
    pub fn tool_call(name: &str, arguments: Value) -> Self {
        Self::tool_calls(vec![(name.to_owned(), arguments)])
    }

    /// Several function calls in one answer (parallel tool calls), in this order.
    pub fn tool_calls(calls: Vec<(String, Value)>) -> Self {
        let calls = calls
            .into_iter()
            .map(|(name, arguments)| ToolCall {
                name,
                arguments: match arguments {
                    Value::String(raw) => raw,
                    other => other.to_string(),
                },
            })
            .collect();
        Self::message(None, calls, "tool_calls")
    }

    /// An assistant `message` sent exactly as given, with `finish_reason` (`None`: null): a
    /// compatible server's tool calls without ids, arguments as an object, calls written into
    /// `content`. Only for requests that do not stream.
    pub fn verbatim(message: Value, finish_reason: Option<&str>) -> Self {
        Self {
            reply: Reply::Verbatim {
                message,
                finish_reason: finish_reason.map(str::to_owned),
            },
            delay: Duration::ZERO,
            usage: None,
        }
    }

    /// An OpenAI error response instead of a completion.
    pub fn error(kind: ErrorKind) -> Self {
        Self {
            reply: Reply::Error(kind),
            delay: Duration::ZERO,
            usage: None,
        }
    }

    /// Holds the response this long before sending it (other requests are served meanwhile).
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Reports these token counts instead of ones estimated from the text lengths.
    pub fn with_usage(mut self, prompt_tokens: u32, completion_tokens: u32) -> Self {
        self.usage = Some((prompt_tokens, completion_tokens));
        self
    }

    fn message(
        content: Option<&str>,
        tool_calls: Vec<ToolCall>,
        finish_reason: &'static str,
    ) -> Self {
        Self {
            reply: Reply::Message {
                content: content.map(str::to_owned),
                tool_calls,
                finish_reason,
            },
            delay: Duration::ZERO,
            usage: None,
        }
    }
}

/// The errors OpenAI answers with, each with its real status, `type` and `code`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 429 `rate_limit_exceeded` (type `requests`) with `retry-after: <secs>`.
    RateLimited { retry_after_secs: u64 },
    /// 429 `insufficient_quota`: out of credit; retrying does not help.
    InsufficientQuota,
    /// 401 `invalid_api_key`.
    InvalidApiKey,
    /// 400 `context_length_exceeded`, param `messages`.
    ContextLengthExceeded,
    /// 500 `server_error`.
    ServerError,
    /// Any status with this exact body (sent as JSON when it parses, as plain text otherwise).
    Raw { status: u16, body: String },
}
