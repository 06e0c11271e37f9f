//! The crash drill, scripted and bounded: 200 questions posted at once, each with its own
//! `Idempotency-Key`, the server killed with SIGKILL midway, restarted on the same data
//! directory, every question sent again with its key. Every question that got a 202 (in either
//! run) ends COMPLETED with one answer; none stays QUEUED or RUNNING.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use expedite_test_support::openai::{OpenAiDouble, Script, Step};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::spawned::{access_token, add_account, free_port, server_command, wait_ready};

const QUESTIONS: usize = 200;
/// Jobs the server's worker runs at once: at most this many answers can be cut by the kill.
const CONCURRENCY: usize = 16;
const EMAIL: &str = "drill@example.com";
const PASSWORD: &str = "a long drill password";

fn command(data: &Path, port: u16, double: &OpenAiDouble) -> Command {
    let mut command = server_command(data, port);
    command
        .env("EXPEDITE_RATE_LIMITS", "false")
        .env("OPENAI_BASE_URL", double.base_url())
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_MODEL", "gpt-test")
        .env("EXPEDITE_JOB_VISIBILITY_SECS", "6")
        .env("EXPEDITE_AI_TIMEOUT_SECS", "4")
        .env("EXPEDITE_AI_RETRY_BASE_MS", "200")
        .env("EXPEDITE_WORKER_CONCURRENCY", CONCURRENCY.to_string());
    command
}

/// Fresh clients (no connection kept from a killed server), from four loopback addresses as
/// four offices of one team would be.
fn clients() -> Vec<reqwest::Client> {
    (2..6)
        .map(|host| {
            reqwest::Client::builder()
                .local_address(std::net::IpAddr::from([127, 0, 0, host]))
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap()
        })
        .collect()
}

/// Posts every question with its key; returns key index → query id for the 202s.
async fn post_all(base: &str, token: &str, answered: Arc<AtomicUsize>) -> HashMap<usize, String> {
    let clients = clients();
    let posts = (0..QUESTIONS).map(|i| {
        let client = clients[i % clients.len()].clone();
        let url = format!("{base}/api/ai/query");
        let token = token.to_owned();
        let answered = Arc::clone(&answered);
        tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", format!("drill-{i}"))
                .json(&json!({"prompt": format!("Drill question {i}: who leads?")}))
                .send()
                .await;
            answered.fetch_add(1, Ordering::SeqCst);
            let response = match response {
                Ok(response) => response,
                Err(error) => {
                    eprintln!("drill-{i}: {error}");
                    return None;
                }
            };
            if response.status() != 202 {
                eprintln!(
                    "drill-{i}: {} {}",
                    response.status(),
                    response.text().await.unwrap_or_default()
                );
                return None;
            }
            let body: Value = response.json().await.ok()?;
            Some((i, body["query_id"].as_str()?.to_owned()))
        })
    });
    let mut accepted = HashMap::new();
    for post in futures::future::join_all(posts).await {
        if let Some((i, id)) = post.unwrap() {
            accepted.insert(i, id);
        }
    }
    accepted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_question_is_answered_once_across_a_kill() {
    // Each answer takes a little while, so work is in flight when the server dies.
    let script = Script::new()
        .fallback(|_| Step::text("The drill is answered.").after(Duration::from_millis(100)));
    let double = OpenAiDouble::start(script).await;
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    add_account(command(data.path(), port, &double), EMAIL, PASSWORD).await;

    // First run: the burst, and a SIGKILL once half of it has been answered.
    let mut first = command(data.path(), port, &double).spawn().unwrap();
    wait_ready(&client, &base).await;
    let token = access_token(&client, &base, EMAIL, PASSWORD).await;
    let answered = Arc::new(AtomicUsize::new(0));
    let burst = tokio::spawn({
        let (base, token) = (base.clone(), token.clone());
        let answered = Arc::clone(&answered);
        async move { post_all(&base, &token, answered).await }
    });
    // Kill once half the burst was answered and the worker is in the middle of answers.
    for _ in 0..800 {
        if answered.load(Ordering::SeqCst) >= QUESTIONS / 2 && double.calls() >= 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let before_kill = burst.await.unwrap();

    // Second run on the same data: every question again, with its key.
    let _second = command(data.path(), port, &double).spawn().unwrap();
    let client = clients().remove(0);
    wait_ready(&client, &base).await;
    let after = post_all(&base, &token, Arc::new(AtomicUsize::new(0))).await;
    assert_eq!(after.len(), QUESTIONS, "every retry is accepted");
    for (i, id) in &before_kill {
        assert_eq!(
            &after[i], id,
            "a key acknowledged before the kill keeps its query"
        );
    }

    // Every acknowledged question ends COMPLETED (redelivery after the visibility timeout).
    let mut pending: HashSet<String> = after.values().cloned().collect();
    let mut statuses = HashMap::new();
    for _ in 0..120 {
        for id in pending.clone() {
            let query: Value = client
                .get(format!("{base}/api/ai/query/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let status = query["status"].as_str().unwrap().to_owned();
            if status == "COMPLETED" || status == "FAILED" {
                pending.remove(&id);
            }
            statuses.insert(id, status);
        }
        if pending.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let completed = statuses.values().filter(|s| *s == "COMPLETED").count();
    // Model calls per question, counted at the double.
    let mut calls: HashMap<String, usize> = HashMap::new();
    for request in double.requests() {
        let user = request["messages"]
            .as_array()
            .and_then(|messages| messages.iter().find(|m| m["role"] == "user"))
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned();
        *calls.entry(user).or_default() += 1;
    }
    let repeated = calls.values().filter(|n| **n > 1).count();
    eprintln!(
        "crash drill: {} acknowledged before the kill, {} after restart, {completed} completed, \
         {} still unfinished, {repeated} answered again after the kill",
        before_kill.len(),
        after.len(),
        pending.len()
    );
    assert!(pending.is_empty(), "unfinished: {pending:?}");
    assert_eq!(completed, QUESTIONS, "{statuses:?}");
    assert_eq!(calls.len(), QUESTIONS, "every question reached the model");
    assert!(
        repeated <= CONCURRENCY,
        "only answers cut by the kill are asked again: {repeated}"
    );
}
