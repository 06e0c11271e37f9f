//! AI queries: a question, its lifecycle, and the answer with the records it relied on.

use serde::{Deserialize, Serialize};

use crate::{CustomerId, QueryId, Timestamp, UserId};

/// Where a query is in its life. Only QUEUED → RUNNING → COMPLETED | FAILED (and
/// QUEUED → FAILED) happen; COMPLETED and FAILED are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum QueryStatus {
    Queued,
    Running,
    Completed,
    Failed,
}

impl QueryStatus {
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "QUEUED",
            Self::Running => "RUNNING",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Completed, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// Tokens the model used for one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenUsage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

/// A question in plain language: trimmed, not empty, at most [`Prompt::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct Prompt(String);

/// Why a prompt was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    #[error("The question is empty. Type a question about your customers.")]
    Empty,
    #[error("The question is too long ({0} characters); the limit is {max}.", max = Prompt::MAX_CHARS)]
    TooLong(usize),
    #[error("The question contains control characters.")]
    ControlCharacters,
}

impl Prompt {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(text: impl Into<String>) -> Result<Self, PromptError> {
        let text = text.into();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(PromptError::Empty);
        }
        let chars = trimmed.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(PromptError::TooLong(chars));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        {
            return Err(PromptError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Prompt {
    type Error = PromptError;
    fn try_from(value: String) -> Result<Self, PromptError> {
        Self::parse(value)
    }
}

impl From<Prompt> for String {
    fn from(prompt: Prompt) -> String {
        prompt.0
    }
}

/// A stored AI query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AiQuery {
    #[serde(rename = "query_id")]
    pub id: QueryId,
    pub owner: UserId,
    pub prompt: Prompt,
    pub status: QueryStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub citations: Vec<CustomerId>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// Why a QUEUED query that was already tried is waiting (e.g. "the AI provider is rate
    /// limiting requests"), with [`AiQuery::retry_at`]; cleared when a delivery claims it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notice: Option<String>,
    /// When the next attempt of a waiting query is due.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_at: Option<Timestamp>,
    /// Deliveries that started work on it; the fencing token of the running attempt.
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub usage: Option<TokenUsage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_trimmed_and_bounded() {
        assert_eq!(
            Prompt::parse("  Which accounts?  ").unwrap().as_str(),
            "Which accounts?"
        );
        assert_eq!(Prompt::parse(" \n\t ").unwrap_err(), PromptError::Empty);
        let long = "x".repeat(Prompt::MAX_CHARS + 1);
        assert_eq!(Prompt::parse(long).unwrap_err(), PromptError::TooLong(2001));
        assert!(
            Prompt::parse("é".repeat(Prompt::MAX_CHARS)).is_ok(),
            "counts characters, not bytes"
        );
        assert_eq!(
            Prompt::parse("a\u{0}b").unwrap_err(),
            PromptError::ControlCharacters
        );
        assert!(Prompt::parse("What's O'Brien Ltd's revenue?\n<b>urgent</b>").is_ok());
    }

    #[test]
    fn statuses_use_the_api_spelling() {
        assert_eq!(serde_json::to_value(QueryStatus::Queued).unwrap(), "QUEUED");
        for status in [
            QueryStatus::Queued,
            QueryStatus::Running,
            QueryStatus::Completed,
            QueryStatus::Failed,
        ] {
            assert_eq!(QueryStatus::parse(status.as_str()), Some(status));
        }
        assert!(QueryStatus::Completed.is_terminal() && !QueryStatus::Running.is_terminal());
    }
}
