//! The `worker` binary: runs jobs from the embedded queue locally, or serves SQS and
//! EventBridge invocations when started by AWS Lambda.

use anyhow::Context;
use expedite_core::Config;
use expedite_domain::Deployment;
use expedite_runtime::{Backends, shutdown_signal, start_local_jobs, start_ops_flush, telemetry};
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
        let max_receives = services.queue().max_receives();
        let margin = config.job_deadline_margin;
        return worker::lambda::run(services, max_receives, margin)
            .await
            .map_err(|error| anyhow::anyhow!(error));
    }

    let stop = CancellationToken::new();
    let mut jobs = start_local_jobs(&services, &config, &stop);
    jobs.push(start_ops_flush(&services, &stop));
    shutdown_signal().await;
    tracing::info!("shutting down: finishing the job in hand");
    stop.cancel();
    futures::future::join_all(jobs).await;
    Ok(())
}
