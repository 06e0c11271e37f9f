//! The `worker` binary: runs jobs from the embedded queue locally, or serves SQS and
//! EventBridge invocations when started by AWS Lambda.

use std::sync::Arc;

use anyhow::Context;
use expedite_core::Config;
use expedite_domain::Deployment;
use expedite_runtime::{Backends, shutdown_signal, start_local_jobs, telemetry};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("reading configuration")?;
    telemetry::init(config.log_format);
    telemetry::install_metrics(config.deployment, "worker");

    let services = Backends::open(&config)
        .await?
        .services(config.clone())
        .await?;
    if config.deployment == Deployment::Lambda {
        let queue = Arc::clone(services.queue());
        let max_receives = queue.max_receives();
        let margin = config.job_deadline_margin;
        return worker::lambda::run(Arc::new(services), queue, max_receives, margin)
            .await
            .map_err(|error| anyhow::anyhow!(error));
    }

    let stop = CancellationToken::new();
    let jobs = start_local_jobs(&services, &config, &stop);
    shutdown_signal().await;
    tracing::info!("shutting down: finishing the job in hand");
    stop.cancel();
    futures::future::join_all(jobs).await;
    Ok(())
}
