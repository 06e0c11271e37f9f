//! The scheduled poll records one run and queues it as its own job: redeliveries resume that
//! run, and it ends FAILED, COMPLETED or SKIPPED, never RUNNING and never duplicated.

use std::{sync::Arc, time::Duration};

use expedite_core::{
    Config, Ports, Services,
    jobs::{Attempt, Job, Outcome, process_one},
    queue::Queue,
    store::Store,
};
use expedite_domain::{Limit, PageRequest, SyncKind, SyncStatus};
use expedite_sqlite::{Database, SqliteIntake, SqliteQueue, SqliteStore};

/// Deliveries per job here.
const MAX_RECEIVES: u32 = 3;

#[tokio::test]
async fn a_poll_of_an_unreachable_org_ends_in_exactly_one_failed_run() {
    // A port nothing listens on: every call is refused, which is worth retrying.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let login = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::from_vars([
        ("EXPEDITE_ADDR", "127.0.0.1:0"),
        ("SALESFORCE_CLIENT_ID", "expedite"),
        ("SALESFORCE_CLIENT_SECRET", "secret"),
        ("SALESFORCE_LOGIN_URL", login.as_str()),
    ])
    .unwrap();
    config.data_dir = data.path().to_owned();
    config.demo_salesforce = false;
    let db = Database::open(data.path()).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::new(db.clone()));
    let jobs = SqliteQueue::new(db, "jobs", MAX_RECEIVES);
    let queue: Arc<dyn Queue> = Arc::new(jobs.clone());
    let mut ports = Ports::new(store.clone(), queue.clone());
    ports.intake = Arc::new(SqliteIntake::new(jobs));
    ports.sync = expedite_runtime::salesforce::sync_engine(&config, &store)
        .await
        .unwrap();
    assert!(ports.sync.is_some(), "Salesforce is configured");
    let services = Services::new(config, ports);

    queue
        .send(&Job::ScheduledPoll.to_body(), Duration::ZERO)
        .await
        .unwrap();
    // Every delivery is retried at once (visibility zero) until the queue gives up.
    let mut deliveries = 0;
    for _ in 0..20 {
        let received = queue
            .receive(10, Duration::ZERO, Duration::from_millis(100))
            .await
            .unwrap();
        if received.is_empty() {
            break;
        }
        for message in received {
            deliveries += 1;
            let attempt = Attempt {
                receive_count: message.receive_count,
                max_receives: MAX_RECEIVES,
                deadline: None,
            };
            if process_one(&services, &message.body, attempt).await == Outcome::Ack {
                queue.ack(&message.receipt).await.unwrap();
            }
        }
    }
    let page = PageRequest {
        cursor: None,
        limit: Limit::parse(Some(10)).unwrap(),
    };
    let runs = store.list_sync_runs(&page).await.unwrap().items;
    assert_eq!(runs.len(), 1, "one poll, one run: {runs:?}");
    let run = &runs[0];
    assert_eq!(run.kind, SyncKind::Scheduled);
    assert_eq!(run.status, SyncStatus::Failed, "{run:?}");
    assert!(!run.issues.is_empty(), "the run says why: {run:?}");
    // The poll itself, then the run's deliveries up to the limit.
    assert_eq!(deliveries, 1 + MAX_RECEIVES as usize);
}
