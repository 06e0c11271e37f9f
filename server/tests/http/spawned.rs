//! The server binary in a process of its own, for the drills: a free port, an account added
//! through the `users add` command, readiness, a sign-in.

use std::{net::TcpListener, path::Path, process::Stdio, time::Duration};

use serde_json::{Value, json};
use tokio::{io::AsyncWriteExt, process::Command};

/// The server binary on `127.0.0.1:port` over `data`, with only the environment given here (no
/// demo org, errors only in its log, output dropped) and killed when dropped; callers add the
/// rest of their configuration.
pub(crate) fn server_command(data: &Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EXPEDITE_DATA_DIR", data)
        .env("EXPEDITE_ADDR", format!("127.0.0.1:{port}"))
        .env("EXPEDITE_DEMO_SALESFORCE", "false")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `server` (the binary with its environment) as `users add --email <email>`, the
/// password on standard input.
pub(crate) async fn add_account(server: Command, email: &str, password: &str) {
    add_account_in(server, email, password, &[]).await;
}

/// As [`add_account`], the account in `groups` (`admins` makes an administrator).
pub(crate) async fn add_account_in(
    mut server: Command,
    email: &str,
    password: &str,
    groups: &[&str],
) {
    server.args(["users", "add", "--email", email]);
    for group in groups {
        server.args(["--group", group]);
    }
    let mut add = server.stdin(Stdio::piped()).spawn().unwrap();
    let mut stdin = add.stdin.take().unwrap();
    stdin
        .write_all(format!("{password}\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    assert!(add.wait().await.unwrap().success(), "the account is added");
}

/// Waits (up to 10 s) until `/readyz` answers 200.
pub(crate) async fn wait_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

/// Signs in through the API; the access token.
pub(crate) async fn access_token(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> String {
    let tokens: Value = client
        .post(format!("{base}/auth/sign-in"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}
