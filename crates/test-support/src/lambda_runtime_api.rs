//! A local AWS Lambda Runtime API (`/2018-06-01/runtime/...`), enough to run our real
//! binaries in Lambda mode: start the binary with `AWS_LAMBDA_RUNTIME_API` pointing here, then
//! [`RuntimeApi::invoke`] events and read the function's responses.

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use serde_json::Value;
use tokio::sync::{Notify, oneshot};

/// What the function returned for one invocation.
pub type InvocationResult = Result<Value, Value>;

struct Shared {
    /// The function's timeout: each invocation's deadline is this long after it is handed out.
    timeout: Duration,
    queued: Mutex<VecDeque<(String, Value)>>,
    arrived: Notify,
    waiting: Mutex<HashMap<String, oneshot::Sender<InvocationResult>>>,
    init_errors: Mutex<Vec<Value>>,
}

/// The running double; stops when dropped.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl RuntimeApi {
    /// Starts the API on a free port on 127.0.0.1, for a function with a 30 s timeout.
    pub async fn start() -> std::io::Result<Self> {
        Self::with_timeout(Duration::from_secs(30)).await
    }

    /// Starts the API for a function whose invocations may last `timeout` (the
    /// `lambda-runtime-deadline-ms` each one is handed).
    pub async fn with_timeout(timeout: Duration) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            timeout,
            queued: Mutex::default(),
            arrived: Notify::new(),
            waiting: Mutex::default(),
            init_errors: Mutex::default(),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(respond),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(fail))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            shared,
            server,
        })
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// The environment Lambda gives a function, pointing at this API.
    pub fn function_env(&self, function_name: &str) -> Vec<(String, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.endpoint()),
            ("AWS_LAMBDA_FUNCTION_NAME", function_name.to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512".to_owned()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            ),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "local".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Hands `event` to the function and waits (up to `timeout`) for its response or error.
    pub async fn invoke(&self, event: Value, timeout: Duration) -> Option<InvocationResult> {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.shared.waiting.lock().unwrap().insert(id.clone(), tx);
        self.shared.queued.lock().unwrap().push_back((id, event));
        self.shared.arrived.notify_one();
        tokio::time::timeout(timeout, rx).await.ok()?.ok()
    }

    /// Errors the function reported while initialising.
    pub fn init_errors(&self) -> Vec<Value> {
        self.shared.init_errors.lock().unwrap().clone()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    loop {
        let arrived = shared.arrived.notified();
        if let Some((id, event)) = shared.queued.lock().unwrap().pop_front() {
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                + shared.timeout;
            let mut headers = HeaderMap::new();
            let header = |v: &str| HeaderValue::from_str(v).expect("ascii header");
            headers.insert("lambda-runtime-aws-request-id", header(&id));
            headers.insert(
                "lambda-runtime-deadline-ms",
                header(&deadline.as_millis().to_string()),
            );
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                header("arn:aws:lambda:us-east-1:123456789012:function:local"),
            );
            headers.insert("lambda-runtime-trace-id", header("Root=1-local"));
            return (headers, Json(event));
        }
        arrived.await;
    }
}

async fn respond(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    settle(&shared, &id, Ok(parse(&body)))
}

async fn fail(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    settle(&shared, &id, Err(parse(&body)))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> StatusCode {
    shared.init_errors.lock().unwrap().push(parse(&body));
    StatusCode::ACCEPTED
}

fn settle(shared: &Shared, id: &str, result: InvocationResult) -> StatusCode {
    match shared.waiting.lock().unwrap().remove(id) {
        Some(tx) => {
            let _ = tx.send(result);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}
