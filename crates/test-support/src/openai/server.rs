//! The HTTP side of the double: routes, authentication, the scripted answer and its headers.

use std::{
    collections::VecDeque,
    convert::Infallible,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, Method, Uri, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::{
    failure::{self, Failure},
    headers,
    script::{Fallback, Reply, Script, Step},
    validate, wire,
};

/// The model `GET /v1/models` always lists, besides every model asked for.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// Requests bodies OpenAI accepts are large (long conversations); so do we.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The state every request handler shares with [`super::OpenAiDouble`].
pub(crate) struct Shared {
    log: Mutex<Log>,
    fallback: Fallback,
    /// Cancelled when the double stops: held responses are released at once.
    pub(crate) stop: CancellationToken,
}

/// The steps still queued and the requests seen, under one lock so both keep arrival order.
struct Log {
    steps: VecDeque<Step>,
    requests: Vec<Value>,
}

impl Shared {
    pub(crate) fn new(script: Script) -> Self {
        Self {
            log: Mutex::new(Log {
                steps: script.steps,
                requests: Vec::new(),
            }),
            fallback: script.fallback,
            stop: CancellationToken::new(),
        }
    }

    pub(crate) fn push(&self, step: Step) {
        self.log().steps.push_back(step);
    }

    pub(crate) fn requests(&self) -> Vec<Value> {
        self.log().requests.clone()
    }

    pub(crate) fn calls(&self) -> usize {
        self.log().requests.len()
    }

    /// Remembers a request the double refused: it consumes no step.
    fn record_refused(&self, request: Value) {
        self.log().requests.push(request);
    }

    /// Remembers a valid request and takes the step that answers it.
    fn record_answered(&self, request: Value) -> Step {
        let mut log = self.log();
        let queued = log.steps.pop_front();
        log.requests.push(request.clone());
        drop(log);
        // The fallback is the test's code: run it outside the lock.
        queued.unwrap_or_else(|| (self.fallback)(&request))
    }

    /// A panicking test thread must not take the double down with it.
    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `POST /v1/chat/completions`, `GET /v1/models`, and OpenAI's 404 for everything else.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/v1/models", get(models))
        .fallback(unknown_url)
        .method_not_allowed_fallback(unknown_url)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

async fn chat_completions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: Result<Value, _> = serde_json::from_slice(&body);
    let checked = match (&request, api_key(&headers)) {
        (_, None) => Err(Failure::missing_api_key()),
        (Err(_), Some(_)) => Err(validate::unparsable_body()),
        (Ok(request), Some(key)) => validate::chat_request(request).map(|valid| (valid, key)),
    };
    // An unparsable body is still recorded, as the text that was sent.
    let recorded =
        request.unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let prompt_tokens = wire::estimate_prompt_tokens(&recorded);
    let (request, api_key) = match checked {
        Ok(valid) => valid,
        Err(failure) => {
            shared.record_refused(recorded);
            return failure_response(failure, prompt_tokens, Duration::ZERO);
        }
    };
    let step = shared.record_answered(recorded);

    tokio::select! {
        () = tokio::time::sleep(step.delay) => {}
        () = shared.stop.cancelled() => {
            return failure_response(Failure::shutting_down(), prompt_tokens, step.delay);
        }
    }

    match step.reply {
        Reply::Verbatim {
            message,
            finish_reason,
        } => {
            if request.stream {
                let failure = Failure::invalid_request(
                    "verbatim steps answer only unstreamed requests",
                    Some("stream"),
                    None,
                );
                return failure_response(failure, prompt_tokens, step.delay);
            }
            let answer = wire::Answer {
                id: completion_id(),
                created: now_secs(),
                model: request.model.clone(),
                content: None,
                tool_calls: Vec::new(),
                finish_reason: "stop",
                usage: wire::Usage {
                    prompt_tokens,
                    completion_tokens: 1,
                },
            };
            let mut body = wire::completion(&answer);
            body["choices"][0]["message"] = message;
            body["choices"][0]["finish_reason"] = finish_reason.into();
            let headers = headers::openai(step.delay, Some(prompt_tokens), None);
            (headers, axum::Json(body)).into_response()
        }
        Reply::Error(kind) => {
            let failure = Failure::scripted(&kind, &request.model, &api_key, prompt_tokens);
            failure_response(failure, prompt_tokens, step.delay)
        }
        Reply::Message {
            content,
            tool_calls,
            finish_reason,
        } => {
            let (prompt, completion) = step.usage.unwrap_or_else(|| {
                let completion = wire::estimate_completion_tokens(content.as_deref(), &tool_calls);
                (prompt_tokens, completion)
            });
            let answer = wire::Answer {
                id: completion_id(),
                created: now_secs(),
                model: request.model.clone(),
                content,
                tool_calls: tool_calls
                    .into_iter()
                    .map(|call| (tool_call_id(), call))
                    .collect(),
                finish_reason,
                usage: wire::Usage {
                    prompt_tokens: prompt,
                    completion_tokens: completion,
                },
            };
            let headers = headers::openai(step.delay, Some(prompt_tokens), None);
            completion_response(&answer, &request, headers)
        }
    }
}

fn completion_id() -> String {
    format!("chatcmpl-{}", uuid::Uuid::new_v4().simple())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The answer as one JSON body, or as SSE events when the request asked for a stream.
fn completion_response(
    answer: &wire::Answer,
    request: &validate::ChatRequest,
    mut headers: HeaderMap,
) -> Response {
    if !request.stream {
        return (headers, axum::Json(wire::completion(answer))).into_response();
    }
    let events = wire::stream_events(answer, request.include_usage);
    let body = Body::from_stream(futures::stream::iter(
        events.into_iter().map(Ok::<_, Infallible>),
    ));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    (headers, body).into_response()
}

/// `GET /v1/models`: the default model and every model requested so far.
async fn models(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if api_key(&headers).is_none() {
        return failure_response(Failure::missing_api_key(), 0, Duration::ZERO);
    }
    let mut names = vec![DEFAULT_MODEL.to_owned()];
    for request in shared.requests() {
        if let Some(model) = request["model"]
            .as_str()
            .filter(|m| !names.iter().any(|n| n == m))
        {
            names.push(model.to_owned());
        }
    }
    let data: Vec<Value> = names
        .iter()
        .map(|id| json!({ "id": id, "object": "model", "created": 1_700_000_000, "owned_by": "system" }))
        .collect();
    let headers = headers::openai(Duration::ZERO, None, None);
    (
        headers,
        axum::Json(json!({ "object": "list", "data": data })),
    )
        .into_response()
}

/// Unknown URLs are refused before any rate limiting: they carry only the request id.
async fn unknown_url(method: Method, uri: Uri) -> Response {
    let failure = Failure::unknown_url(method.as_str(), uri.path());
    let mut headers = HeaderMap::new();
    headers.insert(headers::X_REQUEST_ID, headers::request_id());
    match failure.body {
        failure::Body::Json(body) => (failure.status, headers, axum::Json(body)).into_response(),
        failure::Body::Text(text) => (failure.status, headers, text).into_response(),
    }
}

/// The key from `Authorization: Bearer <key>`, if there is a non-empty one.
fn api_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let key = value.strip_prefix("Bearer ")?.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

fn failure_response(failure: Failure, prompt_tokens: u32, held: Duration) -> Response {
    let headers = headers::openai(held, Some(prompt_tokens), failure.retry_after_secs);
    match failure.body {
        failure::Body::Json(body) => (failure.status, headers, axum::Json(body)).into_response(),
        failure::Body::Text(text) => (failure.status, headers, text).into_response(),
    }
}

/// `call_` and 24 hex digits, the length of OpenAI's tool call ids.
fn tool_call_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("call_{}", &hex[..24])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_non_empty_bearer_keys() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            api_key(&headers)
        };
        assert_eq!(with("Bearer sk-test").as_deref(), Some("sk-test"));
        assert_eq!(with("Bearer   "), None);
        assert_eq!(with("Basic abc"), None);
        assert_eq!(api_key(&HeaderMap::new()), None);
    }
}
