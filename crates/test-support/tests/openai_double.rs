//! The OpenAI double against OpenAI's wire format: exact bodies, headers, stream chunks,
//! errors, request checks, the scripted order and held responses.

use std::time::{Duration, Instant};

use expedite_test_support::openai::{DEFAULT_ANSWER, ErrorKind, OpenAiDouble, Script, Step};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdef";

fn ask(content: &str) -> Value {
    json!({ "model": "gpt-4o-mini", "messages": [{ "role": "user", "content": content }] })
}

fn streamed(content: &str, include_usage: bool) -> Value {
    let mut body = ask(content);
    body["stream"] = json!(true);
    if include_usage {
        body["stream_options"] = json!({ "include_usage": true });
    }
    body
}

async fn post(double: &OpenAiDouble, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/chat/completions", double.base_url()))
        .bearer_auth(KEY)
        .json(body)
        .send()
        .await
        .expect("the double answers")
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// The SSE `data:` payloads of a streamed body, checking the framing on the way.
async fn events_of(response: reqwest::Response) -> Vec<String> {
    let text = response.text().await.expect("a stream body");
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    text.split_terminator("\n\n")
        .map(|event| {
            event
                .strip_prefix("data: ")
                .expect("every event is a data line")
                .to_owned()
        })
        .collect()
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn a_text_answer_has_openais_exact_shape_and_headers() {
    let double =
        OpenAiDouble::start(Script::new().then(Step::text("Hello there.").with_usage(11, 3))).await;
    let response = post(&double, &ask("Hi")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
    for name in [
        "x-ratelimit-limit-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-requests",
        "x-ratelimit-reset-tokens",
    ] {
        assert!(headers.contains_key(name), "missing {name}");
    }
    assert_eq!(headers["x-ratelimit-remaining-requests"], "9999");
    assert!(!headers.contains_key("retry-after"));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );

    let body = json_of(response).await;
    assert_eq!(
        keys(&body),
        [
            "choices",
            "created",
            "id",
            "model",
            "object",
            "system_fingerprint",
            "usage"
        ]
    );
    assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(body["object"], "chat.completion");
    assert!(body["created"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(
        body["choices"],
        json!([{
            "index": 0,
            "message": { "role": "assistant", "content": "Hello there.", "refusal": null },
            "logprobs": null,
            "finish_reason": "stop",
        }])
    );
    assert_eq!(
        body["usage"],
        json!({ "prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14 })
    );
}

#[tokio::test]
async fn tool_calls_carry_ids_and_json_text_arguments() {
    let double = OpenAiDouble::start(Script::new().then(Step::tool_calls(vec![
        ("search".to_owned(), json!({ "query": "churn", "limit": 5 })),
        ("lookup".to_owned(), json!("{not json")),
    ])))
    .await;
    let body = json_of(post(&double, &ask("Who might churn?")).await).await;
    let choice = &body["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["content"], Value::Null);
    let calls = choice["message"]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    for call in calls {
        assert_eq!(keys(call), ["function", "id", "type"]);
        assert_eq!(call["type"], "function");
        let id = call["id"].as_str().unwrap();
        assert!(id.starts_with("call_") && id.len() == 29, "{id}");
    }
    assert_ne!(calls[0]["id"], calls[1]["id"]);
    assert_eq!(calls[0]["function"]["name"], "search");
    let arguments: Value =
        serde_json::from_str(calls[0]["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({ "query": "churn", "limit": 5 }));
    assert_eq!(calls[1]["function"]["arguments"], "{not json");
}

#[tokio::test]
async fn finish_reasons_and_estimated_usage() {
    let long = "word ".repeat(400);
    let double = OpenAiDouble::start(
        Script::new()
            .then(Step::truncated("Cut off"))
            .then(Step::content_filtered(""))
            .then(Step::text(&long)),
    )
    .await;
    let truncated = json_of(post(&double, &ask("Tell me everything")).await).await;
    assert_eq!(truncated["choices"][0]["finish_reason"], "length");
    assert_eq!(truncated["choices"][0]["message"]["content"], "Cut off");
    let filtered = json_of(post(&double, &ask("Hm")).await).await;
    assert_eq!(filtered["choices"][0]["finish_reason"], "content_filter");

    let short_usage = &truncated["usage"];
    let long_usage = &json_of(post(&double, &ask(&long)).await).await["usage"];
    for usage in [short_usage, long_usage] {
        let (prompt, completion) = (
            usage["prompt_tokens"].as_u64().unwrap(),
            usage["completion_tokens"].as_u64().unwrap(),
        );
        assert!(prompt > 0 && completion > 0, "{usage}");
        assert_eq!(usage["total_tokens"].as_u64().unwrap(), prompt + completion);
    }
    assert!(long_usage["prompt_tokens"].as_u64().unwrap() > 400);
    assert!(long_usage["completion_tokens"].as_u64().unwrap() > 400);
}

#[tokio::test]
async fn a_streamed_text_answer_follows_openais_chunk_sequence() {
    let double = OpenAiDouble::start(
        Script::new()
            .then(Step::text("One two three.").with_usage(9, 4))
            .then(Step::text("Again.")),
    )
    .await;
    let response = post(&double, &streamed("Count", true)).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(response.headers().contains_key("x-request-id"));
    let events = events_of(response).await;
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    let id = &chunks[0]["id"];
    for chunk in &chunks {
        assert_eq!(&chunk["id"], id);
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["model"], "gpt-4o-mini");
        assert!(chunk["created"].is_u64());
    }
    let (usage_chunk, choice_chunks) = chunks.split_last().unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    assert_eq!(
        usage_chunk["usage"],
        json!({ "prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13 })
    );
    for chunk in choice_chunks {
        assert_eq!(
            chunk["usage"],
            Value::Null,
            "every other chunk has usage: null"
        );
        assert!(chunk.as_object().unwrap().contains_key("usage"));
    }
    let delta = |i: usize| &choice_chunks[i]["choices"][0]["delta"];
    assert_eq!(delta(0)["role"], "assistant");
    let (last, middle) = choice_chunks[1..].split_last().unwrap();
    assert!(middle.len() >= 3, "the content comes in pieces");
    let content: String = middle
        .iter()
        .map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(content, "One two three.");
    assert!(
        middle
            .iter()
            .all(|c| c["choices"][0]["finish_reason"].is_null()
                && c["choices"][0]["delta"]["role"].is_null())
    );
    assert_eq!(last["choices"][0]["delta"], json!({}));
    assert_eq!(last["choices"][0]["finish_reason"], "stop");

    // Without include_usage: no usage chunk and no usage fields.
    let events = events_of(post(&double, &streamed("Again", false)).await).await;
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert!(
        chunks
            .iter()
            .all(|c| !c.as_object().unwrap().contains_key("usage"))
    );
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "stop"
    );
}

#[tokio::test]
async fn streamed_tool_calls_name_the_call_once_then_send_argument_fragments() {
    let arguments = json!({ "query": "customers with falling revenue", "limit": 10 });
    let double = OpenAiDouble::start(Script::new().then(Step::tool_calls(vec![
        ("search".to_owned(), arguments.clone()),
        ("count".to_owned(), json!({})),
    ])))
    .await;
    let events = events_of(post(&double, &streamed("Who?", true)).await).await;
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(chunks[0]["choices"][0]["delta"]["content"], Value::Null);

    let deltas: Vec<&Value> = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["tool_calls"].get(0))
        .collect();
    let mut accumulated: Vec<(String, String, String)> = Vec::new();
    for delta in &deltas {
        let index = usize::try_from(
            delta["index"]
                .as_u64()
                .expect("every tool call delta has an index"),
        )
        .unwrap();
        if index == accumulated.len() {
            assert_eq!(keys(delta), ["function", "id", "index", "type"], "{delta}");
            assert_eq!(delta["type"], "function");
            assert_eq!(
                delta["function"]["arguments"], "",
                "the naming delta has empty arguments"
            );
            let id = delta["id"].as_str().unwrap().to_owned();
            accumulated.push((
                id,
                delta["function"]["name"].as_str().unwrap().to_owned(),
                String::new(),
            ));
        } else {
            assert_eq!(keys(delta), ["function", "index"], "{delta}");
            assert_eq!(keys(&delta["function"]), ["arguments"]);
            accumulated[index]
                .2
                .push_str(delta["function"]["arguments"].as_str().unwrap());
        }
    }
    let fragments_of_first = deltas
        .iter()
        .filter(|d| d["index"] == 0 && d.get("id").is_none())
        .count();
    assert!(
        fragments_of_first >= 2,
        "arguments are split into fragments"
    );
    assert_eq!(accumulated.len(), 2);
    assert_eq!(accumulated[0].1, "search");
    assert_eq!(
        serde_json::from_str::<Value>(&accumulated[0].2).unwrap(),
        arguments
    );
    assert_eq!(
        (accumulated[1].1.as_str(), accumulated[1].2.as_str()),
        ("count", "{}")
    );
    assert!(accumulated[0].0.starts_with("call_"));

    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["delta"], json!({}));
    assert_eq!(finish["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(chunks.last().unwrap()["choices"], json!([]));
}

#[tokio::test]
async fn scripted_errors_have_openais_statuses_bodies_and_headers() {
    let double = OpenAiDouble::start(
        Script::new()
            .then(Step::error(ErrorKind::RateLimited {
                retry_after_secs: 7,
            }))
            .then(Step::error(ErrorKind::InsufficientQuota))
            .then(Step::error(ErrorKind::InvalidApiKey))
            .then(Step::error(ErrorKind::ContextLengthExceeded))
            .then(Step::error(ErrorKind::ServerError))
            .then(Step::error(ErrorKind::Raw {
                status: 502,
                body: "<html>Bad gateway</html>".to_owned(),
            }))
            .then(Step::error(ErrorKind::Raw {
                status: 500,
                body: r#"{"error":{"code":500}}"#.to_owned(),
            })),
    )
    .await;
    let expected = [
        (429, "requests", Value::Null, json!("rate_limit_exceeded")),
        (
            429,
            "insufficient_quota",
            Value::Null,
            json!("insufficient_quota"),
        ),
        (
            401,
            "invalid_request_error",
            Value::Null,
            json!("invalid_api_key"),
        ),
        (
            400,
            "invalid_request_error",
            json!("messages"),
            json!("context_length_exceeded"),
        ),
        (500, "server_error", Value::Null, Value::Null),
    ];
    for (i, (status, kind, param, code)) in expected.into_iter().enumerate() {
        let response = post(&double, &streamed("Hi", true)).await;
        assert_eq!(response.status(), status, "error {i}");
        let headers = response.headers().clone();
        assert!(headers.contains_key("x-request-id"));
        let body = json_of(response).await;
        assert_eq!(keys(&body), ["error"]);
        assert_eq!(keys(&body["error"]), ["code", "message", "param", "type"]);
        assert!(body["error"]["message"].as_str().unwrap().len() > 10);
        assert_eq!(
            (
                &body["error"]["type"],
                &body["error"]["param"],
                &body["error"]["code"]
            ),
            (&json!(kind), &param, &code),
            "error {i}"
        );
        if i == 0 {
            assert_eq!(headers["retry-after"], "7");
            assert_eq!(headers["x-ratelimit-remaining-requests"], "0");
            assert_eq!(headers["x-ratelimit-reset-requests"], "7s");
        } else {
            assert!(!headers.contains_key("retry-after"), "error {i}");
        }
        if i == 2 {
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("sk-") && !message.contains(KEY),
                "the key is masked: {message}"
            );
        }
    }
    let raw = post(&double, &ask("Hi")).await;
    assert_eq!(raw.status(), 502);
    assert_eq!(raw.text().await.unwrap(), "<html>Bad gateway</html>");
    let raw = post(&double, &ask("Hi")).await;
    assert_eq!(raw.status(), 500);
    assert_eq!(json_of(raw).await, json!({ "error": { "code": 500 } }));
}

#[tokio::test]
async fn requests_without_a_bearer_key_get_401_and_consume_no_step() {
    let double = OpenAiDouble::start(Script::new().then(Step::text("first"))).await;
    let url = format!("{}/chat/completions", double.base_url());
    let client = reqwest::Client::new();
    for request in [
        client.post(&url),
        client.post(&url).header("authorization", "Basic abc"),
        client.post(&url).bearer_auth(""),
    ] {
        let response = request.json(&ask("Hi")).send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body = json_of(response).await;
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("didn't provide an API key")
        );
    }
    let body = json_of(post(&double, &ask("Hi")).await).await;
    assert_eq!(body["choices"][0]["message"]["content"], "first");
    assert_eq!(double.calls(), 4, "refused requests are recorded too");
}

#[tokio::test]
async fn invalid_requests_get_openais_400s() {
    let double =
        OpenAiDouble::start(Script::new().then(Step::text("only valid requests get me"))).await;
    let call = json!([{ "id": "call_1", "type": "function", "function": { "name": "f", "arguments": "{}" } }]);
    let cases = [
        (
            json!({ "messages": [{ "role": "user", "content": "Hi" }] }),
            Value::Null,
            Value::Null,
        ),
        (
            json!({ "model": "gpt-4o-mini" }),
            json!("messages"),
            json!("missing_required_parameter"),
        ),
        (
            json!({ "model": "gpt-4o-mini", "messages": [] }),
            json!("messages"),
            json!("empty_array"),
        ),
        (
            json!({ "model": "gpt-4o-mini", "messages": "Hi" }),
            json!("messages"),
            json!("invalid_type"),
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "robot", "content": "Hi" }] }),
            json!("messages[0].role"),
            json!("invalid_value"),
        ),
        (
            json!({ "model": "m", "messages": [{ "content": "Hi" }] }),
            json!("messages[0].role"),
            json!("missing_required_parameter"),
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "user" }] }),
            json!("messages[0].content"),
            json!("missing_required_parameter"),
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "user", "content": "Hi" }, { "role": "tool", "tool_call_id": "call_1", "content": "{}" }] }),
            json!("messages[1].role"),
            Value::Null,
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "assistant", "tool_calls": call }, { "role": "user", "content": "Hi" }] }),
            json!("messages.[0].role"),
            Value::Null,
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "user", "content": "Hi" }], "stream": "yes" }),
            json!("stream"),
            json!("invalid_type"),
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "user", "content": "Hi" }], "stream_options": { "include_usage": true } }),
            json!("stream_options"),
            Value::Null,
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "user", "content": "Hi" }], "tool_choice": "auto" }),
            json!("tool_choice"),
            Value::Null,
        ),
        (
            json!({ "model": "m", "messages": [{ "role": "user", "content": "Hi" }], "max_completion_tokens": 0 }),
            json!("max_completion_tokens"),
            json!("integer_below_min_value"),
        ),
    ];
    for (body, param, code) in cases {
        let response = post(&double, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let error = &json_of(response).await["error"];
        assert_eq!(error["type"], "invalid_request_error", "{body}");
        assert_eq!(
            (&error["param"], &error["code"]),
            (&param, &code),
            "{body}: {error}"
        );
    }
    let not_json = reqwest::Client::new()
        .post(format!("{}/chat/completions", double.base_url()))
        .bearer_auth(KEY)
        .body("{ nope")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert!(
        json_of(not_json).await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not parse the JSON body")
    );
    assert_eq!(double.requests().last().unwrap(), &json!("{ nope"));

    // A whole agent turn is valid: the tool result answers the call before it.
    let turn = json!({ "model": "m", "messages": [
        { "role": "system", "content": "Be brief." },
        { "role": "user", "content": "Weather?" },
        { "role": "assistant", "content": null, "tool_calls": call },
        { "role": "tool", "tool_call_id": "call_1", "content": "{\"sky\":\"clear\"}" },
    ], "tools": [{ "type": "function", "function": { "name": "f", "parameters": { "type": "object" } } }], "tool_choice": "auto" });
    let body = json_of(post(&double, &turn).await).await;
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "only valid requests get me"
    );
}

#[tokio::test]
async fn other_routes_are_404s_in_openais_shape_and_models_are_listed() {
    let double = OpenAiDouble::start(Script::new()).await;
    let client = reqwest::Client::new();
    let base = double.base_url();
    for request in [
        client.get(format!("{base}/chat/completions")),
        client.post(format!("{base}/completions")),
        client.get(format!("{base}/../health")),
    ] {
        let response = request.bearer_auth(KEY).send().await.unwrap();
        assert_eq!(response.status(), 404);
        assert!(response.headers().contains_key("x-request-id"));
        let error = &json_of(response).await["error"];
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid URL ("),
            "{error}"
        );
        assert_eq!(keys(error), ["code", "message", "param", "type"]);
    }
    post(
        &double,
        &json!({ "model": "gpt-test", "messages": [{ "role": "user", "content": "Hi" }] }),
    )
    .await;
    let models = json_of(
        client
            .get(format!("{base}/models"))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(models["object"], "list");
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gpt-4o-mini", "gpt-test"]);
    assert_eq!(models["data"][0]["object"], "model");
    assert_eq!(
        client
            .get(format!("{base}/models"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn the_queue_answers_in_order_then_the_fallback_then_pushed_steps() {
    let double = OpenAiDouble::start(
        Script::new()
            .then(Step::text("one"))
            .then(Step::text("two")),
    )
    .await;
    let mut answers = Vec::new();
    for question in ["a", "b", "c"] {
        answers.push(
            json_of(post(&double, &ask(question)).await).await["choices"][0]["message"]["content"]
                .clone(),
        );
    }
    assert_eq!(answers, [json!("one"), json!("two"), json!(DEFAULT_ANSWER)]);
    double.push(Step::text("pushed"));
    assert_eq!(
        json_of(post(&double, &ask("d")).await).await["choices"][0]["message"]["content"],
        "pushed"
    );
    let questions: Vec<Value> = double
        .requests()
        .iter()
        .map(|r| r["messages"][0]["content"].clone())
        .collect();
    assert_eq!(questions, [json!("a"), json!("b"), json!("c"), json!("d")]);
    assert_eq!(double.calls(), 4);

    let echo = OpenAiDouble::start(Script::new().then(Step::text("scripted")).fallback(
        |request| {
            Step::text(&format!(
                "echo: {}",
                request["messages"][0]["content"].as_str().unwrap_or("?")
            ))
        },
    ))
    .await;
    let first = json_of(post(&echo, &ask("x")).await).await;
    let second = json_of(post(&echo, &ask("y")).await).await;
    assert_eq!(first["choices"][0]["message"]["content"], "scripted");
    assert_eq!(second["choices"][0]["message"]["content"], "echo: y");
}

#[tokio::test]
async fn held_responses_wait_their_delay_and_run_concurrently() {
    let held = Duration::from_millis(1000);
    let double =
        OpenAiDouble::start(Script::new().fallback(move |_| Step::text("late").after(held))).await;
    let client = reqwest::Client::new();
    let url = format!("{}/chat/completions", double.base_url());
    let started = Instant::now();
    let calls = (0..200).map(|i| {
        let request = client
            .post(&url)
            .bearer_auth(KEY)
            .json(&ask(&format!("q{i}")));
        async move { request.send().await.expect("the double answers").status() }
    });
    let statuses = futures::future::join_all(calls).await;
    let elapsed = started.elapsed();
    assert!(statuses.iter().all(|s| *s == 200));
    assert!(elapsed >= held, "held for {elapsed:?}");
    assert!(
        elapsed < held * 4,
        "200 held calls took {elapsed:?}: they were not held concurrently"
    );
    assert_eq!(double.calls(), 200);
}

#[tokio::test]
async fn shutdown_releases_held_requests_and_closes_the_port() {
    let double =
        OpenAiDouble::start(Script::new().then(Step::text("never").after(Duration::from_secs(60))))
            .await;
    let url = format!("{}/chat/completions", double.base_url());
    let held = tokio::spawn(
        reqwest::Client::new()
            .post(url.clone())
            .bearer_auth(KEY)
            .json(&ask("Hi"))
            .send(),
    );
    while double.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    double.shutdown().await;
    let response = held.await.unwrap().expect("the held request is answered");
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        reqwest::Client::new()
            .post(url)
            .bearer_auth(KEY)
            .json(&ask("Hi"))
            .send()
            .await
            .is_err()
    );
}
