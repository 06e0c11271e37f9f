//! The `worker` binary: runs jobs from the embedded queue locally, or serves SQS and
//! EventBridge invocations when started by AWS Lambda.

use std::sync::Arc;

use anyhow::Context;
use expedite_core::Config;
use expedite_domain::Deployment;
use tokio_util::sync::CancellationToken;
use worker::{
    local::{self, LoopOptions},
    runtime::{Backends, MAX_RECEIVES},
    telemetry,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("reading configuration")?;
    telemetry::init(config.log_format);

    let services = Backends::open(&config)
        .await?
        .services(config.clone())
        .await?;
    if config.deployment == Deployment::Lambda {
        return worker::lambda::run(Arc::new(services), MAX_RECEIVES)
            .await
            .map_err(|error| anyhow::anyhow!(error));
    }

    let queue = Arc::clone(services.queue());
    let shutdown = CancellationToken::new();
    let schedule = tokio::spawn(local::run_schedule(
        Arc::clone(&queue),
        config.poll_interval,
        shutdown.clone(),
    ));
    let jobs = tokio::spawn(local::run_queue(
        Arc::new(services),
        queue,
        LoopOptions {
            concurrency: config.ai.worker_concurrency as usize,
            visibility: config.ai.job_visibility,
            ..LoopOptions::default()
        },
        shutdown.clone(),
    ));
    worker::shutdown_signal().await;
    tracing::info!("shutting down: finishing the job in hand");
    shutdown.cancel();
    let _ = tokio::join!(schedule, jobs);
    Ok(())
}
