//! A second client: simple-salesforce (Python) signs in, pages, upserts and meets an expired
//! session against the sandbox over HTTPS.
//!
//! The interpreter is `<workspace>/.venv/bin/python` (made by `scripts/test` from
//! `scripts/requirements.txt`), or `EXPEDITE_TEST_PYTHON`. A missing interpreter or package
//! fails the test.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use expedite_salesforce_sandbox::{Sandbox, SandboxConfig};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::Command;

const ROWS: usize = 4_321;

fn python() -> PathBuf {
    let python = std::env::var_os("EXPEDITE_TEST_PYTHON").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        python.exists(),
        "no Python interpreter at {}: run scripts/test (it creates .venv from scripts/requirements.txt) \
         or set EXPEDITE_TEST_PYTHON",
        python.display()
    );
    python
}

#[tokio::test]
async fn simple_salesforce_works_against_the_sandbox() {
    let sandbox = Sandbox::start(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    sandbox.seed_accounts(ROWS, 42);
    let dir = std::env::temp_dir().join(format!("expedite-sf-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("sandbox-ca.pem");
    std::fs::write(&ca, sandbox.tls_certificate_pem().unwrap()).unwrap();

    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/simple_salesforce_client.py");
    let config = sandbox.config();
    let mut child = Command::new(python())
        .arg(script)
        .args([
            &sandbox.base_url(),
            &ca.display().to_string(),
            &config.username,
            &config.password,
        ])
        .arg(ROWS.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the Python interpreter starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();

    let mut steps = Vec::new();
    let run = async {
        while let Some(line) = stdout.next_line().await.unwrap() {
            if line == "expire-sessions" {
                sandbox.expire_sessions();
                stdin.write_all(b"go\n").await.unwrap();
                stdin.flush().await.unwrap();
            }
            steps.push(line);
        }
        child.wait().await.unwrap()
    };
    let status = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the client finishes");
    let mut errors = String::new();
    stderr.read_to_string(&mut errors).await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        status.success(),
        "simple-salesforce client failed ({status}); steps: {steps:?}\n{errors}\n\
         (exit code 3 means simple-salesforce is missing: pip install -r scripts/requirements.txt)"
    );
    assert_eq!(
        steps,
        [
            "login ok".to_owned(),
            format!("query_all ok {ROWS}"),
            "upsert ok".to_owned(),
            "collections ok".to_owned(),
            "expire-sessions".to_owned(),
            "expired session ok".to_owned(),
        ]
    );
    let upserted: Vec<_> = sandbox
        .accounts()
        .into_iter()
        .filter(|a| a.external_id.as_deref() == Some("PY-1"))
        .collect();
    assert_eq!(upserted.len(), 1);
    assert_eq!(upserted[0].name, "Python Uno");
    assert_eq!(upserted[0].industry.as_deref(), Some("Technology"));
}
