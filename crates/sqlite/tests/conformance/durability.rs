//! `kill -9` in the middle of writing loses nothing that was reported committed.
//!
//! The test runs twice: as the parent it starts this same test binary as a child (marked by an
//! environment variable), which writes queries and jobs forever, printing each id once its
//! write returned; the parent kills it with SIGKILL and checks every printed write survived.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use expedite_core::{
    queue::Queue,
    store::{NewQuery, QueryStore},
};
use expedite_domain::{Prompt, QueryId, Timestamp, UserId};
use expedite_sqlite::{Database, SqliteQueue, SqliteStore};

const CHILD_DIR: &str = "EXPEDITE_DURABILITY_CHILD_DIR";

#[tokio::test]
async fn kill_9_loses_nothing_committed() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        write_forever(&dir).await;
    }

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability::kill_9_loses_nothing_committed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut committed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("committed ") {
            committed.push(QueryId::parse(id).unwrap());
            if committed.len() == 200 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no checkpoint.
    child.wait().unwrap();
    assert_eq!(committed.len(), 200, "the child wrote");

    let db = Database::open(dir.path()).await.unwrap();
    let store = SqliteStore::new(db.clone());
    for id in &committed {
        assert!(
            store.get_query(id).await.unwrap().is_some(),
            "query {id} lost"
        );
    }
    let queue = SqliteQueue::new(db, "jobs", 3);
    let mut jobs = 0;
    loop {
        let got = queue
            .receive(100, Duration::from_secs(60), Duration::ZERO)
            .await
            .unwrap();
        if got.is_empty() {
            break;
        }
        jobs += got.len();
    }
    assert!(
        jobs >= committed.len(),
        "{jobs} jobs for {} queries",
        committed.len()
    );
}

async fn write_forever(dir: &str) -> ! {
    let db = Database::open(std::path::Path::new(dir)).await.unwrap();
    let store = SqliteStore::new(db.clone());
    let queue = SqliteQueue::new(db, "jobs", 3);
    let owner = UserId::parse("durable-user").unwrap();
    for n in 0_i64.. {
        let id = QueryId::parse(uuid::Uuid::now_v7().to_string()).unwrap();
        store
            .create_query(NewQuery {
                id: id.clone(),
                owner: owner.clone(),
                prompt: Prompt::parse(format!("question {n}")).unwrap(),
                idempotency_key: None,
                now: Timestamp::from_millis(n),
            })
            .await
            .unwrap();
        queue.send(id.as_str(), Duration::ZERO).await.unwrap();
        println!("committed {id}");
    }
    unreachable!("the parent kills this process")
}
