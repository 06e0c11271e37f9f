//! The Expedite web server: SSR pages, server functions, the REST API and static assets in one
//! axum [`Router`](axum::Router).
//!
//! [`router`] builds it from an [`AppState`]; [`Application`] binds it to a local listener, and
//! [`lambda`] serves the very same router to API Gateway events inside AWS Lambda.

mod application;
pub mod auth;
pub mod cli;
pub mod edge;
pub mod error;
pub mod first_accounts;
pub mod lambda;
mod routes;
mod serve;
mod state;

pub use application::Application;
pub use routes::{ApiDoc, router};
pub use state::AppState;
