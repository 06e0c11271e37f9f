//! The `server` binary: the whole of Expedite in one process locally, or the web tier inside
//! AWS Lambda — chosen at run time from the environment, never at compile time.

use anyhow::Context;
use expedite_core::Config;
use expedite_domain::Deployment;
use expedite_runtime::telemetry;
use server::{AppState, Application};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("reading configuration")?;
    telemetry::init(config.log_format);

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(command) = server::cli::parse(&args)? {
        return server::cli::run(config, command).await;
    }

    match config.deployment {
        Deployment::Local => {
            let application = Application::build(config).await?;
            application
                .run_until(expedite_runtime::shutdown_signal())
                .await
        }
        Deployment::Lambda => {
            let state = AppState::from_config(config).await?;
            server::lambda::run(state)
                .await
                .map_err(|error| anyhow::anyhow!(error))
        }
    }
}
