//! The Operations report (`GET /api/admin/operations`) from a server in a process of its own
//! (the counts are the process's): questions, model calls and latency, tokens and request-filter
//! blocks are in the current hour's rollup, the queue is read now, and the figures survive a
//! restart on the same data directory. Administrators only; the window is checked.

use std::{path::Path, time::Duration};

use expedite_test_support::openai::{OpenAiDouble, Script, Step};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::spawned::{access_token, add_account_in, free_port, server_command, wait_ready};

const ADMIN: &str = "ops-admin@example.com";
const USER: &str = "ops-user@example.com";
const PASSWORD: &str = "an operations password";
const QUESTIONS: usize = 3;

fn command(data: &Path, port: u16) -> Command {
    let mut command = server_command(data, port);
    command.env("EXPEDITE_RATE_LIMITS", "false");
    command
}

/// The server answering with the OpenAI double (which bills tokens), if one is given.
async fn start(data: &Path, port: u16, client: &reqwest::Client, base: &str) -> Child {
    start_with(data, port, client, base, None).await
}

async fn start_with(
    data: &Path,
    port: u16,
    client: &reqwest::Client,
    base: &str,
    model: Option<&OpenAiDouble>,
) -> Child {
    let mut command = command(data, port);
    if let Some(double) = model {
        command
            .env("OPENAI_BASE_URL", double.base_url())
            .env("OPENAI_API_KEY", "sk-test")
            .env("OPENAI_MODEL", "gpt-test");
    }
    let server = command.spawn().unwrap();
    wait_ready(client, base).await;
    server
}

async fn report(client: &reqwest::Client, base: &str, token: &str) -> Value {
    let response = client
        .get(format!("{base}/api/admin/operations?hours=24"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn total(report: &Value, field: &str) -> u64 {
    report["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hour| hour[field].as_u64().unwrap())
        .sum()
}

async fn ask_and_wait(client: &reqwest::Client, base: &str, token: &str) {
    let mut ids = Vec::new();
    for n in 0..QUESTIONS {
        let response = client
            .post(format!("{base}/api/ai/query"))
            .bearer_auth(token)
            .json(&json!({"prompt": format!("Which industries do we sell to most? ({n})")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.unwrap();
        ids.push(body["query_id"].as_str().unwrap().to_owned());
    }
    for id in ids {
        let mut status = String::new();
        for _ in 0..200 {
            let query: Value = client
                .get(format!("{base}/api/ai/query/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            status = query["status"].as_str().unwrap().to_owned();
            if status == "COMPLETED" || status == "FAILED" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(status, "COMPLETED");
    }
}

#[tokio::test]
async fn the_report_counts_what_happened_and_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    add_account_in(command(data.path(), port), ADMIN, PASSWORD, &["admins"]).await;
    add_account_in(command(data.path(), port), USER, PASSWORD, &[]).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let script = Script::new()
        .fallback(|_| Step::text("Manufacturing leads.").after(Duration::from_millis(120)));
    let double = OpenAiDouble::start(script).await;
    let mut server = start_with(data.path(), port, &client, &base, Some(&double)).await;
    let admin = access_token(&client, &base, ADMIN, PASSWORD).await;
    let user = access_token(&client, &base, USER, PASSWORD).await;

    ask_and_wait(&client, &base, &user).await;
    let blocked = client
        .get(format!(
            "{base}/api/me?ref=1'%20UNION%20SELECT%20password%20FROM%20users--"
        ))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(
        blocked.status(),
        403,
        "the request filter blocks the injection"
    );

    let first = report(&client, &base, &admin).await;
    assert_eq!(total(&first, "submitted"), QUESTIONS as u64, "{first}");
    assert_eq!(total(&first, "completed"), QUESTIONS as u64);
    assert_eq!(total(&first, "failed"), 0);
    assert!(total(&first, "model_calls") >= QUESTIONS as u64);
    assert!(
        total(&first, "prompt_tokens") > 0,
        "the model's usage is counted"
    );
    let p50 = first["model_p50_ms"].as_u64().unwrap();
    assert!(
        (90..=200).contains(&p50),
        "each call took about 120 ms: {p50}"
    );
    assert_eq!(total(&first, "blocked"), 1);
    assert_eq!(first["blocks"], json!([{"name": "sqli", "count": 1}]));
    assert_eq!(first["queue"]["waiting"], 0, "every question was answered");
    let hours = first["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 1, "one hour had anything: this one");
    let (from, to) = (
        first["from"].as_str().unwrap(),
        first["to"].as_str().unwrap(),
    );
    assert!(from < hours[0]["hour"].as_str().unwrap() && hours[0]["hour"].as_str().unwrap() < to);

    // SIGTERM: the server flushes at shutdown (the figures were stored when read anyway).
    let pid = server.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    server.wait().await.unwrap();
    let _server = start(data.path(), port, &client, &base).await;
    let admin = access_token(&client, &base, ADMIN, PASSWORD).await;
    let again = report(&client, &base, &admin).await;
    assert_eq!(total(&again, "completed"), QUESTIONS as u64, "{again}");
    assert_eq!(total(&again, "blocked"), 1);
}

#[tokio::test]
async fn the_report_is_for_administrators_and_checks_its_window() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    add_account_in(command(data.path(), port), USER, PASSWORD, &[]).await;
    let client = reqwest::Client::new();
    let _server = start(data.path(), port, &client, &base).await;
    let user = access_token(&client, &base, USER, PASSWORD).await;
    let url = format!("{base}/api/admin/operations");

    let signed_out = client.get(&url).send().await.unwrap();
    assert_eq!(signed_out.status(), 401);
    let forbidden = client.get(&url).bearer_auth(&user).send().await.unwrap();
    assert_eq!(forbidden.status(), 403);
    let body: Value = forbidden.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");

    let admin_data = tempfile::tempdir().unwrap();
    let admin_port = free_port();
    let admin_base = format!("http://127.0.0.1:{admin_port}");
    add_account_in(
        command(admin_data.path(), admin_port),
        ADMIN,
        PASSWORD,
        &["admins"],
    )
    .await;
    let _admin_server = start(admin_data.path(), admin_port, &client, &admin_base).await;
    let admin = access_token(&client, &admin_base, ADMIN, PASSWORD).await;
    for (hours, status) in [
        ("0", 400),
        ("745", 400),
        ("many", 400),
        ("744", 200),
        ("1", 200),
    ] {
        let response = client
            .get(format!("{admin_base}/api/admin/operations?hours={hours}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "hours={hours}");
    }
}
