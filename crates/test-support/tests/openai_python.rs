//! A second client: the official `openai` Python package (tests/openai_client.py) against the
//! OpenAI double, so the double is checked by a client we did not write.
//!
//! The interpreter is the project's `.venv/bin/python` (created by `scripts/test` from
//! `scripts/requirements.txt`) or `EXPEDITE_TEST_PYTHON`. A missing interpreter or package
//! fails the test: it is never skipped.

use std::{path::PathBuf, process::Stdio, time::Duration};

use expedite_test_support::openai::{ErrorKind, OpenAiDouble, Script, Step};
use serde_json::json;

fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("EXPEDITE_TEST_PYTHON") {
        return PathBuf::from(python);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    workspace.join(".venv/bin/python")
}

/// The answers, in the order the script's checks ask for them.
fn scenario() -> Script {
    let search = json!({ "query": "churn", "limit": 5 });
    let calls = vec![
        ("search_customers".to_owned(), search),
        ("count_customers".to_owned(), json!({})),
    ];
    Script::new()
        .then(Step::tool_calls(calls.clone()).with_usage(120, 30))
        .then(Step::text("Three customers are at risk."))
        .then(Step::tool_calls(calls).with_usage(50, 20))
        .then(Step::text("Revenue is up four percent."))
        .then(Step::error(ErrorKind::RateLimited {
            retry_after_secs: 7,
        }))
        .then(Step::error(ErrorKind::InsufficientQuota))
        .then(Step::error(ErrorKind::InvalidApiKey))
        .then(Step::error(ErrorKind::ContextLengthExceeded))
        .then(Step::error(ErrorKind::ServerError))
}

#[tokio::test]
async fn the_official_python_client_understands_the_double() {
    let python = python();
    assert!(
        python.exists(),
        "no Python interpreter at {}: run scripts/test (it creates .venv and installs \
         scripts/requirements.txt) or set EXPEDITE_TEST_PYTHON",
        python.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openai_client.py");
    let double = OpenAiDouble::start(scenario()).await;

    let mut command = tokio::process::Command::new(&python);
    command
        .arg(&script)
        .arg(double.base_url())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    // Nothing from the environment may redirect or configure the client.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().to_ascii_uppercase();
        if name.starts_with("OPENAI_") || name.ends_with("_PROXY") {
            command
                .env_remove(&name)
                .env_remove(name.to_ascii_lowercase());
        }
    }
    command
        .env("NO_PROXY", "127.0.0.1")
        .env("PYTHONDONTWRITEBYTECODE", "1");

    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the Python client finishes within two minutes")
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python client failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("ok: fallback and models"), "{stdout}");

    // Every scripted step was used, plus the unauthenticated call and the fallback.
    let requests = double.requests();
    assert_eq!(requests.len(), 11, "{requests:#?}");
    assert_eq!(requests[2]["stream"], true);
    assert_eq!(
        requests[2]["stream_options"],
        json!({ "include_usage": true })
    );
    assert_eq!(requests[1]["messages"][2]["role"], "tool");
}
