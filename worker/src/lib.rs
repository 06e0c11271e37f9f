//! Expedite's job runner.
//!
//! One step, [`expedite_core::jobs::process_one`], and two ways to drive it:
//! - [`local`]: a loop over the embedded queue, plus a timer for the scheduled poll; run by the
//!   `worker` binary or in-process by the server;
//! - [`lambda`]: an AWS Lambda handler for SQS batches (with partial batch failures) and
//!   EventBridge scheduled events.
//!
//! [`runtime`] builds what a process needs from its configuration; the server uses it too.

pub mod lambda;
pub mod local;
pub mod runtime;
pub mod salesforce;
pub mod telemetry;

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
