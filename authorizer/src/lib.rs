//! The API Gateway Lambda REQUEST authorizer in front of `/api/{proxy+}`.
//!
//! API Gateway's Cognito authorizer reads only `Authorization`, but the browser's Ask page
//! polls `GET /api/ai/query/{id}` with nothing but the HttpOnly session cookie. This
//! authorizer accepts either, verified by the same [`Verifier`](expedite_identity::Verifier)
//! the server uses (access tokens only), and lets the OpenAPI document through. It runs
//! without caching and without required identity sources, so every request reaches it and a
//! request without credentials is refused here, not by the gateway's own shortcut.
//!
//! - [`decision`]: what one request event is owed (pure, tested directly);
//! - [`lambda`]: the Lambda Runtime API loop around it.

pub mod decision;
pub mod lambda;
