//! The self-hosted process: a TCP listener serving [`router`], with the worker in-process.

use std::{future::Future, net::SocketAddr};

use anyhow::Context;
use expedite_core::Config;
use expedite_runtime::{start_local_jobs, start_ops_flush};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::{AppState, router};

/// A built, bound, not yet serving application. Tests build it on port 0.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the backends and binds the listener; nothing is served until [`Self::run_until`].
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let state = AppState::from_config(config.clone()).await?;
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .with_context(|| format!("binding {}", config.bind_addr))?;
        Ok(Self { listener, state })
    }

    /// The wiring the application serves (tests reach the built-in provider through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests and the
    /// job in hand finish (bounded by the configured grace period) and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let config = self.state.services.config().clone();
        let stop = CancellationToken::new();
        let workers = self.spawn_workers(&config, &stop);

        tracing::info!(address = %self.local_addr(), "listening");
        let stopping = stop.clone();
        let server = crate::serve::serve(self.listener, router(self.state), &config, async move {
            shutdown.await;
            tracing::info!("shutting down");
            stopping.cancel();
        });
        let server = tokio::spawn(server);

        stop.cancelled().await;
        let drained = tokio::time::timeout(config.shutdown_grace, async {
            let served = server.await;
            for worker in workers {
                let _ = worker.await;
            }
            served
        })
        .await;
        match drained {
            Ok(served) => served.context("server task")?.context("serving HTTP")?,
            Err(_) => tracing::warn!(
                grace_secs = config.shutdown_grace.as_secs(),
                "shutdown grace period over; stopping with work in flight"
            ),
        }
        tracing::info!("stopped");
        Ok(())
    }

    /// The operations tally's flush, and the job loop and poll timer if the worker runs here.
    fn spawn_workers(&self, config: &Config, stop: &CancellationToken) -> Vec<JoinHandle<()>> {
        let mut tasks = vec![start_ops_flush(&self.state.services, stop)];
        if config.in_process_worker {
            tasks.extend(start_local_jobs(&self.state.services, config, stop));
        }
        tasks
    }
}
