//! The AWS Lambda entry: API Gateway events into the same [`router`](crate::router).

use expedite_core::Services;

use crate::AppState;

/// Serves API Gateway (REST or HTTP API) events until the Lambda runtime stops.
///
/// Set `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` so REST stage prefixes (`/prod/…`) are
/// stripped before routing.
pub async fn run(state: AppState) -> Result<(), lambda_http::Error> {
    let services = state.services.clone();
    let router = crate::router(state);
    lambda_http::run(router.layer(axum::middleware::from_fn_with_state(
        services,
        flush_metrics,
    )))
    .await
}

/// Once an invocation's response is ready, its metrics leave as EMF lines and its counts join
/// the store's per-hour rollups (a request that counted nothing writes nothing), before
/// Lambda freezes the process.
async fn flush_metrics(
    axum::extract::State(services): axum::extract::State<Services>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    expedite_runtime::telemetry::flush_emf_to_stdout();
    expedite_core::ops::flush(services.store().as_ref(), services.now()).await;
    response
}
