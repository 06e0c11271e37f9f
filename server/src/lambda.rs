//! The AWS Lambda entry: API Gateway events into the same [`router`](crate::router).

use axum::Router;

/// Serves API Gateway (REST or HTTP API) events until the Lambda runtime stops.
///
/// Set `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` so REST stage prefixes (`/prod/…`) are
/// stripped before routing.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    lambda_http::run(router).await
}
