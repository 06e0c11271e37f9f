//! The composition root: from a [`Config`] to running parts, for every binary and Lambda entry.
//!
//! - [`backends`]: the store, queue and intake the configuration names, and the ports and
//!   [`Services`] over them (the configured model, Salesforce or the demo sandbox);
//! - [`secrets`]: the Secrets Manager secrets the configuration names by ARN, read at start-up
//!   by the process that runs jobs;
//! - [`local`]: the job loop over the queue and the timer of the scheduled poll, started by
//!   [`start_local_jobs`] in the `worker` binary and inside the self-hosted `server`, and the
//!   operations tally's flush ([`start_ops_flush`]);
//! - [`telemetry`]: log set-up; [`shutdown_signal`]: Ctrl-C or SIGTERM.
//!
//! The binaries (`server`, `worker`) stay thin: read the configuration, call in here, serve.

pub mod backends;
pub mod local;
pub mod salesforce;
pub mod secrets;
pub mod telemetry;

use std::sync::Arc;

use expedite_core::{Config, Services};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use backends::{Backends, MAX_RECEIVES};

/// Starts the local job loop (up to the configured concurrency) and the scheduled poll's
/// timer over `services`' queue; both stop when `stop` is cancelled, finishing the jobs in hand.
pub fn start_local_jobs(
    services: &Services,
    config: &Config,
    stop: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    let queue = Arc::clone(services.queue());
    vec![
        tokio::spawn(local::run_queue(
            Arc::new(services.clone()),
            Arc::clone(&queue),
            local::LoopOptions {
                concurrency: config.ai.worker_concurrency as usize,
                visibility: config.ai.job_visibility,
                ..local::LoopOptions::default()
            },
            stop.clone(),
        )),
        tokio::spawn(local::run_schedule(
            queue,
            config.poll_interval,
            stop.clone(),
        )),
    ]
}

/// Starts flushing the process's operations tally into the store's per-hour rollups (every
/// [`local::OPS_FLUSH_INTERVAL`], and at `stop`): every long-running process does, whether or
/// not it runs jobs. On Lambda the entries flush after each invocation instead.
pub fn start_ops_flush(services: &Services, stop: &CancellationToken) -> JoinHandle<()> {
    tokio::spawn(local::run_ops_flush(
        services.clone(),
        local::OPS_FLUSH_INTERVAL,
        stop.clone(),
    ))
}

/// Resolves on Ctrl-C or SIGTERM (what Lambda, systemd and container runtimes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
