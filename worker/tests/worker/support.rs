//! A recording job handler whose answers the test scripts.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use expedite_core::jobs::{Attempt, Job, JobError, JobHandler};
use tokio::sync::Notify;

/// Answers from a script (then `Ok`), records every call and wakes waiters after each.
#[derive(Default)]
pub(crate) struct Recorder {
    script: Mutex<VecDeque<Result<(), JobError>>>,
    calls: Mutex<Vec<(Job, Attempt)>>,
    pub(crate) called: Notify,
}

impl Recorder {
    pub(crate) fn scripted(script: impl IntoIterator<Item = Result<(), JobError>>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(script.into_iter().collect()),
            ..Self::default()
        })
    }

    pub(crate) fn calls(&self) -> Vec<(Job, Attempt)> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits until at least `n` calls were made.
    pub(crate) async fn wait_for_calls(&self, n: usize) {
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                let called = self.called.notified();
                if self.calls.lock().unwrap().len() >= n {
                    return;
                }
                called.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("expected {n} calls, saw {:?}", self.calls()));
    }
}

pub(crate) fn transient() -> Result<(), JobError> {
    Err(JobError::Transient {
        message: "upstream 503".into(),
        retry_after: None,
    })
}

#[async_trait]
impl JobHandler for Recorder {
    async fn handle(&self, job: &Job, attempt: Attempt) -> Result<(), JobError> {
        let answer = self.script.lock().unwrap().pop_front().unwrap_or(Ok(()));
        self.calls.lock().unwrap().push((job.clone(), attempt));
        self.called.notify_waiters();
        answer
    }
}
