//! The AWS-shaped stack end to end: a Cognito user signs in through the front door and asks
//! questions; an administrator runs a sync of 20 000 accounts that needs continuations; the
//! DynamoDB copy equals the sandbox. Prints the figures the closing checks ask for.
//!
//! Needs moto (`EXPEDITE_TEST_MOTO_URL`, started by `scripts/test`) and the debug `server`,
//! `worker` and `authorizer` binaries beside this test's directory (built by the test command).

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use expedite_aws_stack::{Stack, StackOptions, StackUser};
use serde_json::{Value, json};

const USER: (&str, &str) = ("stack-user@example.com", "Stack-Passw0rd-1!");
const ADMIN: (&str, &str) = ("stack-admin@example.com", "Stack-Passw0rd-2!");
const ACCOUNTS: usize = 20_000;

fn bin_dir() -> std::path::PathBuf {
    // target/debug/deps/<this test> → target/debug
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .to_path_buf()
}

/// Where the functions' AWS calls are logged: `EXPEDITE_STACK_CALLS_DIR` when the test
/// command checks them against the template's roles afterwards, else a temporary directory.
fn calls_dir() -> (std::path::PathBuf, Option<tempfile::TempDir>) {
    match std::env::var_os("EXPEDITE_STACK_CALLS_DIR") {
        Some(dir) => {
            let dir = std::path::PathBuf::from(dir);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            (dir, None)
        }
        None => {
            let temp = tempfile::tempdir().unwrap();
            (temp.path().to_path_buf(), Some(temp))
        }
    }
}

async fn start(calls: &std::path::Path) -> Stack {
    let moto = std::env::var("EXPEDITE_TEST_MOTO_URL").expect(
        "EXPEDITE_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts moto",
    );
    let mut options = StackOptions::new(moto, bin_dir());
    options.accounts = ACCOUNTS;
    options.users = vec![
        StackUser {
            email: USER.0.into(),
            password: USER.1.into(),
            admin: false,
        },
        StackUser {
            email: ADMIN.0.into(),
            password: ADMIN.1.into(),
            admin: true,
        },
    ];
    // A worker whose invocations leave about 2 s for work: a 20 000-account sync cannot fit
    // in one and must continue.
    options.worker_timeout = Duration::from_secs(4);
    options.deadline_margin = Duration::from_secs(2);
    options.call_log_dir = Some(calls.to_path_buf());
    options.server_env = vec![("EXPEDITE_SIGN_IN_PER_MINUTE".into(), "1000".into())];
    Stack::start(options).await.expect("the stack starts")
}

struct Client {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

impl Client {
    async fn sign_in(base: &str, (email, password): (&str, &str)) -> Self {
        let http = reqwest::Client::new();
        let signed_in: Value = http
            .post(format!("{base}/auth/sign-in"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .expect("Cognito signs the user in")
            .json()
            .await
            .unwrap();
        let token = signed_in["access_token"].as_str().expect("an access token");
        Self {
            http,
            base: base.to_owned(),
            bearer: format!("Bearer {token}"),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.bearer);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Polls `path` until its `status` is final.
    async fn until_final(&self, path: &str, limit: Duration) -> Value {
        let started = Instant::now();
        loop {
            let body = self.get(path).await;
            if matches!(
                body["status"].as_str(),
                Some("COMPLETED" | "FAILED" | "SKIPPED")
            ) {
                return body;
            }
            assert!(
                started.elapsed() < limit,
                "{path} not finished in {limit:?}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Every customer item in the table: id → (name, deleted).
async fn scan_customers(stack: &Stack) -> BTreeMap<String, (Value, bool)> {
    let dynamo = aws_sdk_dynamodb::Client::new(&stack.aws);
    let mut items = BTreeMap::new();
    let mut start = None;
    loop {
        let page = dynamo
            .scan()
            .table_name(&stack.tables.customers)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        for item in page.items() {
            let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
            let deleted = item
                .get("is_deleted")
                .and_then(|v| v.as_bool().ok())
                .copied();
            if let (Some(id), Some(name)) = (text("id"), text("name")) {
                items.insert(id, (json!(name), deleted.unwrap_or(false)));
            }
        }
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => return items,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aws_shaped_stack_answers_questions_and_syncs_with_continuations() {
    let (calls, _temp) = calls_dir();
    let stack = start(&calls).await;
    let base = stack.url();

    // The gateway runs the authorizer on /api: no credential, no call to the server.
    let anonymous = reqwest::get(format!("{base}/api/me")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let page = reqwest::get(format!("{base}/sign-in")).await.unwrap();
    assert_eq!(page.status(), 200, "pages load signed out");

    let user = Client::sign_in(&base, USER).await;
    let me = user.get("/api/me").await;
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some(USER.0), Some("user")),
        "{me}"
    );

    let mut waits = Vec::new();
    for n in 0..20 {
        let started = Instant::now();
        let (status, accepted) = user
            .send(
                reqwest::Method::POST,
                "/api/ai/query",
                Some(json!({"prompt": format!("Which customers grew most? ({n})")})),
            )
            .await;
        assert_eq!(status, 202, "{accepted}");
        let id = accepted["query_id"].as_str().unwrap();
        let done = user
            .until_final(&format!("/api/ai/query/{id}"), Duration::from_secs(60))
            .await;
        assert_eq!(done["status"], "COMPLETED", "{done}");
        waits.push(started.elapsed());
    }
    waits.sort();
    // Each function's metrics reached "CloudWatch Logs" as EMF, in the Expedite namespace (an
    // invocation flushes once its work is done, a moment after the answer is stored).
    let completed = || -> u64 {
        stack
            .metrics
            .documents("WorkerFunction")
            .iter()
            .filter(|doc| doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Expedite")
            .filter(|doc| doc["function"] == "worker" && doc["event"] == "completed")
            .filter_map(|doc| doc["expedite_queries_total"].as_u64())
            .sum()
    };
    let since = Instant::now();
    while completed() < 20 && since.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(completed(), 20, "the worker's EMF counts the answers");
    let answered = stack.metrics.documents("ServerFunction");
    assert!(
        answered.iter().any(|doc| doc["function"] == "server"
            && doc["route"] == "/api/ai/query/{id}"
            && doc["status"] == "200"
            && doc["expedite_http_requests_total"].as_u64().is_some()),
        "the server's EMF counts requests by route: {answered:?}"
    );
    println!(
        "submit → COMPLETED through the AWS-shaped stack: p50 {:?}, max {:?} ({} queries)",
        waits[waits.len() / 2],
        waits[waits.len() - 1],
        waits.len()
    );

    let (status, _) = user
        .send(reqwest::Method::POST, "/api/salesforce/sync", None)
        .await;
    assert_eq!(status, 403, "only administrators sync");
    let admin = Client::sign_in(&base, ADMIN).await;
    let (status, run) = admin
        .send(reqwest::Method::POST, "/api/salesforce/sync", None)
        .await;
    assert_eq!(status, 202, "{run}");
    let id = run["sync_id"].as_str().unwrap();
    let started = Instant::now();
    let run = admin
        .until_final(
            &format!("/api/salesforce/sync/{id}"),
            Duration::from_secs(900),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(run["status"], "COMPLETED", "{run}");
    let pulled = run["pulled"].as_u64().unwrap();
    let continuations = run["continuations"].as_u64().unwrap();
    println!(
        "sync of {ACCOUNTS} accounts into DynamoDB on moto: {pulled} records in {took:.1?} \
         ({:.0} records/s), {} pages, {continuations} continuations",
        pulled as f64 / took.as_secs_f64(),
        run["pages"]
    );
    assert_eq!(pulled, ACCOUNTS as u64);
    assert!(continuations >= 5, "{run}");
    // The delivery that ended the run counted it, once, with what it pulled.
    let worker_sum = |metric: &str, dimensions: &[(&str, &str)]| -> u64 {
        stack
            .metrics
            .documents("WorkerFunction")
            .iter()
            .filter(|doc| dimensions.iter().all(|(name, value)| doc[*name] == *value))
            .filter_map(|doc| doc[metric].as_u64())
            .sum()
    };
    let manual = [("kind", "manual"), ("status", "COMPLETED")];
    let since = Instant::now();
    while worker_sum("expedite_sync_runs_total", &manual) == 0
        && since.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(worker_sum("expedite_sync_runs_total", &manual), 1);
    assert_eq!(
        worker_sum("expedite_sync_records_total", &[("direction", "pulled")]),
        pulled
    );
    assert_eq!(
        worker_sum("expedite_sync_continuations_total", &[]),
        continuations
    );

    // The API reads the copy; the copy, scanned in DynamoDB, equals the sandbox.
    let first = admin.get("/api/customers?limit=100").await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(100));
    let local = scan_customers(&stack).await;
    let remote: BTreeMap<String, (Value, bool)> = stack
        .sandbox
        .accounts()
        .into_iter()
        .map(|a| (a.id, (json!(a.name), a.is_deleted)))
        .collect();
    assert_eq!(local.len(), remote.len());
    assert!(
        local == remote,
        "the DynamoDB copy differs from the sandbox"
    );
    // The overview reads the rollup the sync's transactions kept: it counts what the table holds.
    let live = remote.values().filter(|(_, deleted)| !deleted).count() as u64;
    let overview = user.get("/api/overview").await;
    let totals = &overview["totals"];
    assert_eq!(totals["customers"].as_u64(), Some(live), "{totals}");
    let by_industry: u64 = totals["by_industry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|segment| segment["customers"].as_u64().unwrap())
        .sum();
    assert_eq!(
        by_industry, live,
        "every live customer in one industry segment"
    );
    assert!(totals["median_revenue"].as_f64().is_some(), "{totals}");
    assert_eq!(
        user.get("/api/customers/count").await["count"].as_u64(),
        Some(live)
    );
    // With customers synced, an answer cites what its tool call read from DynamoDB.
    let (status, accepted) = user
        .send(
            reqwest::Method::POST,
            "/api/ai/query",
            Some(json!({"prompt": "Who is our largest customer?"})),
        )
        .await;
    assert_eq!(status, 202, "{accepted}");
    let path = format!("/api/ai/query/{}", accepted["query_id"].as_str().unwrap());
    let done = user.until_final(&path, Duration::from_secs(60)).await;
    let cited = done["citations"].as_array().map_or(0, Vec::len);
    assert!(cited > 0, "{done}");

    // The hourly schedule: EventBridge's event makes the worker queue a scheduled run, which
    // the pump delivers; it reads only the window since the manual run.
    stack
        .tick_schedule()
        .await
        .expect("the scheduled poll finishes");
    let started = Instant::now();
    let scheduled = loop {
        let runs = admin.get("/api/salesforce/syncs").await;
        let found = runs["items"]
            .as_array()
            .and_then(|runs| runs.iter().find(|r| r["kind"] == "scheduled").cloned());
        if let Some(run) = found {
            break admin
                .until_final(
                    &format!("/api/salesforce/sync/{}", run["sync_id"].as_str().unwrap()),
                    Duration::from_secs(120),
                )
                .await;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no scheduled run: {runs}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(scheduled["status"], "COMPLETED", "{scheduled}");
    assert!(
        scheduled["window_start"].is_string(),
        "an incremental window: {scheduled}"
    );
    assert!(
        scheduled["pulled"].as_u64().unwrap() < pulled,
        "{scheduled}"
    );

    let (status, _) = admin.send(reqwest::Method::GET, "/readyz", None).await;
    assert_eq!(status, 200);

    drop(stack);
    for file in std::fs::read_dir(&calls).unwrap() {
        let file = file.unwrap();
        let text = std::fs::read_to_string(file.path()).unwrap();
        let mut counts = BTreeMap::new();
        for line in text.lines() {
            *counts.entry(line.to_owned()).or_insert(0) += 1;
        }
        println!("{}: {counts:?}", file.file_name().to_string_lossy());
    }
}
