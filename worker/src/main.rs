//! The `worker` binary: runs jobs from the embedded queue locally, or serves SQS and
//! EventBridge invocations when started by AWS Lambda.

use std::sync::Arc;

use anyhow::Context;
use expedite_core::Config;
use expedite_domain::Deployment;
use tokio_util::sync::CancellationToken;
use worker::{
    local::{self, LoopOptions},
    runtime::{MAX_RECEIVES, Runtime},
    telemetry,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("reading configuration")?;
    telemetry::init(config.log_format);

    if config.deployment == Deployment::Lambda {
        let services = expedite_core::Services::new(config);
        return worker::lambda::run(Arc::new(services), MAX_RECEIVES)
            .await
            .map_err(|error| anyhow::anyhow!(error));
    }

    let runtime = Runtime::embedded(config.clone()).await?;
    let shutdown = CancellationToken::new();
    let schedule = tokio::spawn(local::run_schedule(
        Arc::clone(&runtime.queue),
        config.poll_interval,
        shutdown.clone(),
    ));
    let jobs = tokio::spawn(local::run_queue(
        Arc::new(runtime.services.clone()),
        Arc::clone(&runtime.queue),
        LoopOptions::default(),
        shutdown.clone(),
    ));
    worker::shutdown_signal().await;
    tracing::info!("shutting down: finishing the job in hand");
    shutdown.cancel();
    let _ = tokio::join!(schedule, jobs);
    Ok(())
}
