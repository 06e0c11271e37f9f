//! The AWS deployment's shape on one machine, for end-to-end tests and for trying the AWS
//! path by hand: moto holds the DynamoDB tables, the SQS queue pair, the Cognito user pool and
//! the Secrets Manager secrets the template defines; the real `server`, `worker` and
//! `authorizer` binaries run in Lambda mode, each behind its own Lambda Runtime API; a local
//! front door stands in for CloudFront and the REST API (see [`gateway`]); a pump stands in for
//! the SQS event source mapping and the EventBridge schedule (see [`pump`]). The Salesforce
//! org is the sandbox and the model the OpenAI double, both in-process.
//!
//! Nothing here is deployed: the template itself is what `scripts/deploy` ships.

mod gateway;
mod logs;
mod pump;
mod routes;
mod stack;

pub use logs::MetricLog;
pub use stack::{Stack, StackOptions, StackUser};
