//! The demo responder: answers without any model provider, and says so.
//!
//! It follows the same protocol as a real model (tool calls, then text), so the agent loop,
//! the tools and the citations are exercised over the real customer data. It chooses its tool
//! from a few words of the question and lists what the tool found.

use async_trait::async_trait;
use expedite_domain::TokenUsage;
use serde_json::{Value, json};

use super::{Finish, LanguageModel, Message, ModelError, ModelReply, ModelRequest, ToolCall};

/// The first line of every demo answer.
pub const DEMO_NOTICE: &str = "Demo responder: no AI provider is configured (set OPENAI_API_KEY), \
so this is a plain listing of what Expedite's tools found in your customer data, not a model's answer.";

/// Answers from tool output without a language model.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoModel;

#[async_trait]
impl LanguageModel for DemoModel {
    fn describe(&self) -> String {
        "demo responder (no AI provider configured)".to_owned()
    }

    async fn complete(&self, request: &ModelRequest) -> Result<ModelReply, ModelError> {
        let question = request.messages.iter().find_map(|message| match message {
            Message::User(text) => Some(text.to_lowercase()),
            _ => None,
        });
        let results: Vec<&str> = request
            .messages
            .iter()
            .filter_map(|message| match message {
                Message::Tool { content, .. } => Some(content.as_str()),
                _ => None,
            })
            .collect();
        let reply = if results.is_empty() && !request.tools.is_empty() {
            let (name, arguments) = choose_tool(question.as_deref().unwrap_or_default());
            ModelReply {
                content: None,
                tool_calls: vec![ToolCall {
                    id: "demo-call-1".to_owned(),
                    name: name.to_owned(),
                    arguments: arguments.to_string(),
                }],
                finish: Finish::ToolCalls,
                usage: TokenUsage::default(),
                model: "demo".to_owned(),
            }
        } else {
            ModelReply {
                content: Some(describe_results(&results)),
                tool_calls: Vec::new(),
                finish: Finish::Stop,
                usage: TokenUsage::default(),
                model: "demo".to_owned(),
            }
        };
        Ok(reply)
    }
}

fn choose_tool(question: &str) -> (&'static str, Value) {
    let has = |words: &[&str]| words.iter().any(|word| question.contains(word));
    if has(&[
        "how many",
        "count",
        "number of",
        "total",
        "average",
        "breakdown",
        "per ",
        " by ",
    ]) {
        let group_by = if has(&["countr", "region", "where"]) {
            "country"
        } else if has(&["type", "partner", "prospect"]) {
            "type"
        } else if has(&["city", "cities"]) {
            "city"
        } else {
            "industry"
        };
        ("aggregate_customers", json!({"group_by": group_by}))
    } else if has(&["newest", "recent", "latest", "changed"]) {
        (
            "search_customers",
            json!({"sort": "modified_desc", "limit": 5}),
        )
    } else if has(&["smallest", "lowest"]) {
        (
            "search_customers",
            json!({"sort": "revenue_asc", "limit": 5}),
        )
    } else {
        (
            "search_customers",
            json!({"sort": "revenue_desc", "limit": 5}),
        )
    }
}

/// Renders tool output (inside its `<crm_data>` delimiters) as a short listing.
fn describe_results(results: &[&str]) -> String {
    let mut lines = vec![DEMO_NOTICE.to_owned(), String::new()];
    for result in results {
        let json = result
            .split_once('\n')
            .and_then(|(_, rest)| rest.rsplit_once('\n'))
            .map(|(body, _)| body.replace("\\u003c", "<"))
            .and_then(|body| serde_json::from_str::<Value>(&body).ok())
            .unwrap_or(Value::Null);
        if let Some(matches) = json["matches"].as_array() {
            if matches.is_empty() {
                lines.push("No customers matched.".to_owned());
            }
            for row in matches {
                lines.push(format!(
                    "- {} ({}, {}): annual revenue {} [customer:{}]",
                    row["name"].as_str().unwrap_or("unnamed"),
                    row["industry"].as_str().unwrap_or("industry not set"),
                    row["country"].as_str().unwrap_or("country not set"),
                    money(row["annual_revenue"].as_f64()),
                    row["id"].as_str().unwrap_or_default(),
                ));
            }
        } else if let Some(groups) = json["groups"].as_array() {
            for row in groups.iter().take(10) {
                lines.push(format!(
                    "- {}: {} customers, total annual revenue {}",
                    row["group"].as_str().unwrap_or("(not set)"),
                    row["count"],
                    money(row["total_revenue"].as_f64()),
                ));
            }
        } else {
            lines.push("The tools returned nothing usable for this question.".to_owned());
        }
    }
    lines.join("\n")
}

fn money(value: Option<f64>) -> String {
    match value {
        Some(value) if value >= 1e9 => format!("${:.1}B", value / 1e9),
        Some(value) if value >= 1e6 => format!("${:.1}M", value / 1e6),
        Some(value) => format!("${value:.0}"),
        None => "not set".to_owned(),
    }
}
