//! The use-cases, held together with the ports they need. REST handlers, server functions,
//! the worker and the Lambda entries all call these methods and nothing lower.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use async_trait::async_trait;
use expedite_domain::SystemStatus;

use crate::{
    Config,
    jobs::{Attempt, Job, JobError, JobHandler},
};

/// Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    started: Instant,
    status_checks: AtomicU64,
}

impl Services {
    pub fn new(config: Config) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                started: Instant::now(),
                status_checks: AtomicU64::new(0),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// What is running and on which backends; counts how often it was asked.
    pub fn system_status(&self) -> SystemStatus {
        let checks = self.inner.status_checks.fetch_add(1, Ordering::Relaxed) + 1;
        SystemStatus {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            deployment: self.inner.config.deployment,
            demo_mode: true,
            backends: vec![(
                "Worker".to_owned(),
                if self.inner.config.in_process_worker {
                    "in-process".to_owned()
                } else {
                    "separate process".to_owned()
                },
            )],
            uptime_secs: self.inner.started.elapsed().as_secs(),
            checks,
        }
    }
}

#[async_trait]
impl JobHandler for Services {
    /// Runs a job through its use-case. Each kind's use-case is added with the feature that
    /// owns it; until then the job is refused for good, so it is neither retried nor lost silently.
    async fn handle(&self, job: &Job, _attempt: Attempt) -> Result<(), JobError> {
        Err(JobError::Permanent(format!(
            "this version of Expedite cannot run {job:?} jobs yet"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_counts_checks_and_reports_the_deployment() {
        let services = Services::new(Config::for_tests("unused".into()));
        let first = services.system_status();
        let second = services.system_status();
        assert_eq!(first.checks + 1, second.checks);
        assert_eq!(first.deployment, expedite_domain::Deployment::Local);
        assert_eq!(first.version, env!("CARGO_PKG_VERSION"));
    }
}
