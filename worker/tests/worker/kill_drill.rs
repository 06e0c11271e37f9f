//! The worker drill, scripted and bounded: 1000 questions queued, the worker process killed
//! with SIGKILL five times while it answers them, then left to finish. None is lost, none
//! stays QUEUED or RUNNING, each ends COMPLETED with the answer to its own question, and the
//! model was asked again only for answers a kill cut off (counted at the double).

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use expedite_domain::{AiQuery, QueryStatus};
use expedite_test_support::openai::{Script, Step};

use crate::{ai_jobs::Harness, killed_worker::spawn_worker};

const QUESTIONS: usize = 1000;
const KILLS: usize = 5;
/// Answers between kills: the kills fall at different points of the run.
const BETWEEN_KILLS: usize = 120;
/// Jobs one worker process runs at once (its default), so at most this many answers per kill
/// are cut off.
const CONCURRENCY: usize = 16;

fn prompt_of(request: &serde_json::Value) -> String {
    request["messages"]
        .as_array()
        .and_then(|messages| messages.iter().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn statuses(harness: &Harness, queries: &[AiQuery]) -> Vec<AiQuery> {
    let mut now = Vec::with_capacity(queries.len());
    for query in queries {
        now.push(harness.finished_or_current(query).await);
    }
    now
}

async fn completed(harness: &Harness, queries: &[AiQuery]) -> usize {
    statuses(harness, queries)
        .await
        .iter()
        .filter(|q| q.status == QueryStatus::Completed)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_questions_survive_five_killed_workers() {
    // Each answer takes a moment, so a kill finds answers in flight; each names its question.
    let script = Script::new().fallback(|request| {
        Step::text(&format!("Answer to: {}", prompt_of(request))).after(Duration::from_millis(25))
    });
    let harness = Harness::new(script, false).await;
    let started = Instant::now();
    let mut queries = Vec::with_capacity(QUESTIONS);
    for n in 0..QUESTIONS {
        queries.push(harness.ask(&format!("Drill question {n:04}")).await);
    }

    // A cut answer stays RUNNING until redelivered, perhaps past the next kill: count each
    // claim (query, attempt) once.
    let mut cut = HashSet::new();
    for kill in 0..KILLS {
        let target = (kill + 1) * BETWEEN_KILLS;
        let mut worker = spawn_worker(&harness);
        let deadline = Instant::now() + Duration::from_secs(60);
        while completed(&harness, &queries).await < target {
            assert!(
                Instant::now() < deadline,
                "kill {kill}: the worker made no progress"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        worker.kill().expect("SIGKILL");
        worker.wait().expect("reaped");
        cut.extend(
            statuses(&harness, &queries)
                .await
                .into_iter()
                .filter(|q| q.status == QueryStatus::Running)
                .map(|q| (q.id, q.attempts)),
        );
    }
    let cut = cut.len();

    let mut last = spawn_worker(&harness);
    let deadline = Instant::now() + Duration::from_secs(120);
    let finished = loop {
        let now = statuses(&harness, &queries).await;
        if now.iter().all(|q| q.status.is_terminal()) {
            break now;
        }
        assert!(
            Instant::now() < deadline,
            "questions still open after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    last.kill().ok();
    last.wait().ok();
    let took = started.elapsed();

    for query in &finished {
        assert_eq!(query.status, QueryStatus::Completed, "{query:?}");
        assert_eq!(
            query.answer.as_deref(),
            Some(format!("Answer to: {}", query.prompt.as_str()).as_str()),
            "each question has its own answer"
        );
    }
    let mut calls: HashMap<String, usize> = HashMap::new();
    for request in harness.double.requests() {
        *calls.entry(prompt_of(&request)).or_default() += 1;
    }
    assert_eq!(calls.len(), QUESTIONS, "every question reached the model");
    let repeated: usize = calls.values().map(|n| n - 1).sum();
    for query in &finished {
        let asked = calls[query.prompt.as_str()];
        assert!(
            asked <= query.attempts as usize,
            "{}: {asked} model calls in {} attempts",
            query.prompt.as_str(),
            query.attempts
        );
    }
    assert!(
        repeated <= cut && cut <= KILLS * CONCURRENCY,
        "asked again {repeated} times for {cut} answers the kills cut off"
    );
    println!(
        "worker drill: {QUESTIONS} questions, {KILLS} SIGKILLs, {cut} answers cut off and asked \
         again {repeated} times, all COMPLETED once in {took:.1?}"
    );
}
