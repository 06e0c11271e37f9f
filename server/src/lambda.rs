//! The AWS Lambda entry: API Gateway events into the same [`router`](crate::router).

use axum::Router;

/// Serves API Gateway (REST or HTTP API) events until the Lambda runtime stops.
///
/// Set `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` so REST stage prefixes (`/prod/…`) are
/// stripped before routing.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router.layer(axum::middleware::from_fn(flush_metrics))).await
}

/// Each invocation's metrics leave as EMF lines once its response is ready.
async fn flush_metrics(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    expedite_runtime::telemetry::flush_emf_to_stdout();
    response
}
