//! The metrics recorder of the process, chosen once by deployment: Prometheus text served at
//! `/metrics` self-hosted, CloudWatch Embedded Metric Format lines written to stdout after each
//! Lambda invocation (CloudWatch Logs turns them into metrics; no API call, no extra latency).

use std::sync::OnceLock;

use expedite_domain::Deployment;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The namespace Expedite's CloudWatch metrics live in.
pub const NAMESPACE: &str = "Expedite";

/// The installed recorder.
pub enum MetricsSink {
    Prometheus(PrometheusHandle),
    Emf(&'static metrics_cloudwatch_embedded::Collector),
    /// Another recorder was installed first (a test's own): nothing to render or flush here.
    Foreign,
}

static SINK: OnceLock<MetricsSink> = OnceLock::new();

/// Installs the recorder for `deployment` the first time it is called; later calls return the
/// first one. `function` names the Lambda function in the EMF lines' dimension.
pub fn install_metrics(deployment: Deployment, function: &str) -> &'static MetricsSink {
    SINK.get_or_init(|| {
        let sink = match deployment {
            Deployment::Local => {
                let recorder = PrometheusBuilder::new().build_recorder();
                let handle = recorder.handle();
                match metrics::set_global_recorder(recorder) {
                    Ok(()) => {
                        keep_up(handle.clone());
                        MetricsSink::Prometheus(handle)
                    }
                    Err(_) => MetricsSink::Foreign,
                }
            }
            Deployment::Lambda => match metrics_cloudwatch_embedded::Builder::new()
                .cloudwatch_namespace(NAMESPACE)
                .with_dimension("function", function.to_owned())
                .init()
            {
                Ok(collector) => MetricsSink::Emf(collector),
                Err(_) => MetricsSink::Foreign,
            },
        };
        expedite_core::metrics::describe();
        sink
    })
}

/// Folds recorded histogram samples into their summaries every few seconds, so memory stays
/// flat whether or not anybody scrapes.
fn keep_up(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(5));
                handle.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no metrics upkeep thread; histograms fold only when scraped");
    }
}

/// Whether this process renders Prometheus text (self-hosted), without rendering it.
pub fn serves_prometheus() -> bool {
    matches!(SINK.get(), Some(MetricsSink::Prometheus(_)))
}

/// The Prometheus exposition of everything recorded so far; `None` unless self-hosted.
pub fn prometheus_text() -> Option<String> {
    match SINK.get()? {
        MetricsSink::Prometheus(handle) => {
            handle.run_upkeep();
            Some(handle.render())
        }
        _ => None,
    }
}

/// [`flush_emf`] to the process's stdout, where the Lambda runtime hands lines to CloudWatch
/// Logs; a failed write is logged, never fatal.
pub fn flush_emf_to_stdout() {
    let stdout = std::io::stdout();
    if let Err(error) = flush_emf(stdout.lock()) {
        tracing::warn!(%error, "metrics could not be written");
    }
}

/// Writes what was recorded since the last flush as EMF lines (one per label set) to `out`;
/// nothing unless on Lambda.
pub fn flush_emf(out: impl std::io::Write) -> std::io::Result<()> {
    match SINK.get() {
        Some(MetricsSink::Emf(collector)) => collector.flush(out),
        _ => Ok(()),
    }
}
