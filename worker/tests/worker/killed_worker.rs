//! A worker process killed in the middle of an answer: the job comes back after its visibility
//! timeout, a second worker claims it (attempt 2) and it completes exactly once.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use expedite_domain::QueryStatus;
use expedite_test_support::openai::{Script, Step};

use crate::ai_jobs::Harness;

pub(crate) fn spawn_worker(harness: &Harness) -> Child {
    Command::new(env!("CARGO_BIN_EXE_worker"))
        .current_dir(harness.data.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EXPEDITE_DATA_DIR", harness.data.path())
        .env("OPENAI_BASE_URL", harness.double.base_url())
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_MODEL", "gpt-test")
        .env("EXPEDITE_JOB_VISIBILITY_SECS", "4")
        .env("EXPEDITE_AI_TIMEOUT_SECS", "3")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker binary starts")
}

#[tokio::test]
async fn a_job_whose_worker_was_killed_is_redelivered_and_completed_once() {
    // The first call hangs (its worker dies during it); the second answers at once.
    let script = Script::new()
        .then(Step::text("from the dead worker").after(Duration::from_secs(60)))
        .then(Step::text("Answered by the second worker."));
    let harness = Harness::new(script, false).await;
    let query = harness.ask("Who are our top customers?").await;

    let mut first = spawn_worker(&harness);
    for _ in 0..200 {
        if harness.double.calls() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        harness.double.calls(),
        1,
        "the first worker reached the model"
    );
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let running = harness.finished_or_current(&query).await;
    assert_eq!(running.status, QueryStatus::Running);
    assert_eq!(running.attempts, 1);

    let mut second = spawn_worker(&harness);
    let done = harness.finished(&query).await;
    second.kill().ok();
    second.wait().ok();
    assert_eq!(done.status, QueryStatus::Completed, "{done:?}");
    assert_eq!(
        done.answer.as_deref(),
        Some("Answered by the second worker.")
    );
    assert_eq!(done.attempts, 2);
    assert_eq!(
        harness.double.calls(),
        2,
        "answered once after the redelivery"
    );
}
