//! A local double of OpenAI's Chat Completions API, driven by a scenario table.
//!
//! [`OpenAiDouble::start`] serves `POST /v1/chat/completions` (whole or streamed as SSE) and
//! `GET /v1/models` on 127.0.0.1 with OpenAI's wire format, headers and errors. Each valid
//! request consumes the next [`Step`] of the [`Script`] — a text, tool calls or an error,
//! optionally held for a while — and the script's fallback answers once the queue is empty.
//! Requests are checked as OpenAI checks them (a Bearer key, a model, well-formed messages
//! with every tool call answered), so client mistakes fail here as they would there.
//!
//! ```no_run
//! # async fn demo() {
//! use expedite_test_support::openai::{ErrorKind, OpenAiDouble, Script, Step};
//! use serde_json::json;
//!
//! let double = OpenAiDouble::start(
//!     Script::new()
//!         .then(Step::error(ErrorKind::RateLimited { retry_after_secs: 1 }))
//!         .then(Step::tool_call("search_customers", json!({ "query": "churn" })))
//!         .then(Step::text("Three customers are at risk.").with_usage(420, 12)),
//! )
//! .await;
//! let api_base = double.base_url(); // "http://127.0.0.1:PORT/v1"
//! # }
//! ```

mod failure;
mod headers;
mod script;
mod server;
mod validate;
mod wire;

use std::{net::SocketAddr, sync::Arc};

use serde_json::Value;
use tokio::task::JoinHandle;

pub use script::{DEFAULT_ANSWER, ErrorKind, Script, Step};
pub use server::DEFAULT_MODEL;

/// The running double; it stops when dropped or on [`OpenAiDouble::shutdown`].
pub struct OpenAiDouble {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    server: Option<JoinHandle<()>>,
}

impl OpenAiDouble {
    /// Starts serving `script` on a free port of 127.0.0.1.
    ///
    /// # Panics
    /// When no local port can be bound, which leaves a test nothing to do.
    pub async fn start(script: Script) -> Self {
        let shared = Arc::new(server::Shared::new(script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the OpenAI double to a free port on 127.0.0.1");
        let addr = listener
            .local_addr()
            .expect("the OpenAI double's listener has an address");
        let app = server::router(Arc::clone(&shared));
        let stop = shared.stop.clone();
        let server = tokio::spawn(async move {
            let serving = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned());
            if let Err(error) = serving.await {
                tracing::warn!(%error, "the OpenAI double stopped serving");
            }
        });
        tracing::debug!(%addr, "OpenAI double started");
        Self {
            addr,
            shared,
            server: Some(server),
        }
    }

    /// What an SDK takes as its API base, e.g. `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every chat completions request body received so far, in arrival order, refused ones
    /// included (a body that is not JSON is kept as a JSON string of its text).
    pub fn requests(&self) -> Vec<Value> {
        self.shared.requests()
    }

    /// How many chat completions requests arrived (the length of [`Self::requests`]).
    pub fn calls(&self) -> usize {
        self.shared.calls()
    }

    /// Appends `step` to the scripted queue while the double runs.
    pub fn push(&self, step: Step) {
        self.shared.push(step);
    }

    /// Stops accepting connections, answers held requests with a 503 at once, and waits until
    /// every open connection is closed.
    pub async fn shutdown(mut self) {
        self.shared.stop.cancel();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for OpenAiDouble {
    fn drop(&mut self) {
        // The serving task winds down on its own: no new connections, held requests released.
        self.shared.stop.cancel();
    }
}

impl std::fmt::Debug for OpenAiDouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiDouble")
            .field("addr", &self.addr)
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}
