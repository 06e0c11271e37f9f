//! What Expedite counts and times, through the `metrics` facade: every name, its unit and its
//! labels in one place, and one function per event so call sites read as what happened.
//!
//! The events the Operations page charts are also counted in the process's
//! [`Tally`](crate::ops::Tally), which is flushed into the store's per-hour rollups.
//!
//! The binaries install the recorder (Prometheus text self-hosted, CloudWatch Embedded Metric
//! Format on Lambda: `expedite_runtime::telemetry`); without one, recording costs nothing.
//! Labels have small, fixed value sets (a route template, never a path; a model name; a rule
//! family), so every label set is one time series, not one per user or id.

use std::time::Duration;

use expedite_domain::{SyncKind, SyncRun};

use crate::ops::{Tally, bucket_name, latency_bucket, names};

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};

pub const HTTP_REQUESTS: &str = "expedite_http_requests_total";
pub const HTTP_DURATION: &str = "expedite_http_request_duration_seconds";
pub const QUERIES: &str = "expedite_queries_total";
pub const MODEL_CALLS: &str = "expedite_model_calls_total";
pub const MODEL_LATENCY: &str = "expedite_model_latency_seconds";
pub const MODEL_TOKENS: &str = "expedite_model_tokens_total";
pub const TOOL_CALLS: &str = "expedite_tool_calls_total";
pub const JOBS: &str = "expedite_jobs_total";
pub const DEAD_LETTERS: &str = "expedite_dead_letters_total";
pub const QUEUE_DEPTH: &str = "expedite_queue_depth";
pub const QUEUE_OLDEST_AGE: &str = "expedite_queue_oldest_age_seconds";
pub const SYNC_RUNS: &str = "expedite_sync_runs_total";
pub const SYNC_RECORDS: &str = "expedite_sync_records_total";
pub const SYNC_DURATION: &str = "expedite_sync_duration_seconds";
pub const SYNC_CONTINUATIONS: &str = "expedite_sync_continuations_total";
pub const SIGN_IN_FAILURES: &str = "expedite_sign_in_failures_total";
pub const FILTER_BLOCKS: &str = "expedite_request_filter_blocks_total";
pub const RATE_LIMITED: &str = "expedite_rate_limited_total";

/// Gives every metric its unit and meaning; call once after installing a recorder.
pub fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        Unit::Count,
        "HTTP requests answered, by route template, method and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request, by route template and method"
    );
    describe_counter!(
        QUERIES,
        Unit::Count,
        "Questions by event: submitted, completed, failed"
    );
    describe_counter!(
        MODEL_CALLS,
        Unit::Count,
        "Calls to the language model, by model and outcome"
    );
    describe_histogram!(
        MODEL_LATENCY,
        Unit::Seconds,
        "Time a language-model call took, by model"
    );
    describe_counter!(
        MODEL_TOKENS,
        Unit::Count,
        "Tokens the model billed, by model and kind (prompt, completion)"
    );
    describe_counter!(
        TOOL_CALLS,
        Unit::Count,
        "Customer-data tool calls the model made, by tool"
    );
    describe_counter!(
        JOBS,
        Unit::Count,
        "Queue messages processed, by job kind and outcome (done, failed, retry)"
    );
    describe_counter!(
        DEAD_LETTERS,
        Unit::Count,
        "Dead-lettered messages settled, by job kind"
    );
    describe_gauge!(
        QUEUE_DEPTH,
        Unit::Count,
        "Messages waiting, by queue (jobs, dead_letters)"
    );
    describe_gauge!(
        QUEUE_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest message waiting in the job queue"
    );
    describe_counter!(
        SYNC_RUNS,
        Unit::Count,
        "Salesforce sync runs finished, by kind and status"
    );
    describe_counter!(
        SYNC_RECORDS,
        Unit::Count,
        "Records a sync moved, by direction (pulled, pushed, deleted)"
    );
    describe_histogram!(
        SYNC_DURATION,
        Unit::Seconds,
        "Wall time of a finished sync run"
    );
    describe_counter!(
        SYNC_CONTINUATIONS,
        Unit::Count,
        "Times a sync paused at an invocation's deadline and continued in a new message"
    );
    describe_counter!(SIGN_IN_FAILURES, Unit::Count, "Refused sign-in attempts");
    describe_counter!(
        FILTER_BLOCKS,
        Unit::Count,
        "Requests the request filter blocked, by rule family"
    );
    describe_counter!(
        RATE_LIMITED,
        Unit::Count,
        "Requests refused with 429, by limit"
    );
}

pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    let (route, method) = (route.to_owned(), method.to_owned());
    counter!(HTTP_REQUESTS, "route" => route.clone(), "method" => method.clone(), "status" => status.to_string())
        .increment(1);
    histogram!(HTTP_DURATION, "route" => route, "method" => method).record(took.as_secs_f64());
    if status >= 500 {
        Tally::global().add(names::SERVER_ERRORS, 1);
    }
}

/// A question's life: `submitted`, `completed` or `failed`.
pub fn query(event: &'static str) {
    counter!(QUERIES, "event" => event).increment(1);
    let name = match event {
        "submitted" => names::SUBMITTED,
        "completed" => names::COMPLETED,
        _ => names::FAILED,
    };
    Tally::global().add(name, 1);
}

/// One model call; `model` as configured (the provider's reply may name a dated variant).
pub fn model_call(model: &str, outcome: &'static str, took: Duration) {
    let model = model.to_owned();
    counter!(MODEL_CALLS, "model" => model.clone(), "outcome" => outcome).increment(1);
    histogram!(MODEL_LATENCY, "model" => model).record(took.as_secs_f64());
    let tally = Tally::global();
    tally.add(names::MODEL_CALLS, 1);
    if outcome != "ok" {
        tally.add(names::MODEL_ERRORS, 1);
    }
    tally.add(bucket_name(latency_bucket(took)), 1);
}

pub fn model_tokens(model: &str, prompt: u64, completion: u64) {
    let model = model.to_owned();
    counter!(MODEL_TOKENS, "model" => model.clone(), "kind" => "prompt").increment(prompt);
    counter!(MODEL_TOKENS, "model" => model, "kind" => "completion").increment(completion);
    let tally = Tally::global();
    tally.add(names::PROMPT_TOKENS, prompt);
    tally.add(names::COMPLETION_TOKENS, completion);
}

pub fn tool_call(tool: &str) {
    // The model names the tool: only ours are labels, anything else counts as `unknown`.
    let tool = match tool {
        "search_customers" | "aggregate_customers" | "get_customer" => tool.to_owned(),
        _ => "unknown".to_owned(),
    };
    counter!(TOOL_CALLS, "tool" => tool).increment(1);
}

/// A processed message: `done`, `failed` (for good) or `retry`.
pub fn job(kind: &'static str, outcome: &'static str) {
    counter!(JOBS, "kind" => kind, "outcome" => outcome).increment(1);
    if outcome == "retry" {
        Tally::global().add(names::RETRIES, 1);
    }
}

pub fn dead_letter(kind: &'static str) {
    counter!(DEAD_LETTERS, "kind" => kind).increment(1);
    Tally::global().add(names::DEAD_LETTERS, 1);
}

/// What the queue holds now; the oldest message's age where the backend can tell.
pub fn queue_depth(waiting: u64, dead_letters: u64, oldest: Option<Duration>) {
    gauge!(QUEUE_DEPTH, "queue" => "jobs").set(waiting as f64);
    gauge!(QUEUE_DEPTH, "queue" => "dead_letters").set(dead_letters as f64);
    let tally = Tally::global();
    tally.high(names::QUEUE_HIGH, waiting);
    if let Some(oldest) = oldest {
        gauge!(QUEUE_OLDEST_AGE).set(oldest.as_secs_f64());
        tally.high(names::OLDEST_JOB_HIGH, oldest.as_secs());
    }
}

/// A run that has just ended (COMPLETED, FAILED or SKIPPED): its kind, status, what it moved
/// and how long it took from being queued. Called by whatever ends it, once.
pub fn sync_finished(run: &SyncRun) {
    let kind = match run.kind {
        SyncKind::Manual => "manual",
        SyncKind::Scheduled => "scheduled",
    };
    counter!(SYNC_RUNS, "kind" => kind, "status" => run.status.as_str()).increment(1);
    counter!(SYNC_RECORDS, "direction" => "pulled").increment(u64::from(run.pulled));
    counter!(SYNC_RECORDS, "direction" => "pushed").increment(u64::from(run.pushed));
    counter!(SYNC_RECORDS, "direction" => "deleted").increment(u64::from(run.deleted));
    let took = run.updated_at.as_millis() - run.created_at.as_millis();
    histogram!(SYNC_DURATION).record(took.max(0) as f64 / 1000.0);
}

pub fn sync_continued() {
    counter!(SYNC_CONTINUATIONS).increment(1);
}

pub fn sign_in_failed() {
    counter!(SIGN_IN_FAILURES).increment(1);
    Tally::global().add(names::SIGN_IN_FAILURES, 1);
}

pub fn filter_blocked(family: &str) {
    counter!(FILTER_BLOCKS, "family" => family.to_owned()).increment(1);
    Tally::global().add(format!("{}{family}", names::BLOCKED_PREFIX), 1);
}

/// A 429: `limit` names which limit refused (`requests`, `sign_in`, `queries`…).
pub fn rate_limited(limit: &'static str) {
    counter!(RATE_LIMITED, "limit" => limit).increment(1);
    Tally::global().add(format!("{}{limit}", names::LIMITED_PREFIX), 1);
}
