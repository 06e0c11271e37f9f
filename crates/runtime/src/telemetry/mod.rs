//! Logs and metrics set-up shared by the server and worker binaries.

use expedite_core::config::LogFormat;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Installs the global subscriber: `RUST_LOG` filters (default `info`), lines as configured.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .init(),
    }
}

mod metrics;

pub use metrics::{
    MetricsSink, NAMESPACE, flush_emf, flush_emf_to_stdout, install_metrics, prometheus_text,
    serves_prometheus,
};
