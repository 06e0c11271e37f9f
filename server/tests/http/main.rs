//! The server's HTTP surface, served for real on 127.0.0.1 with embedded backends.

mod auth;
mod crash_drill;
mod customers_and_sync;
mod edge;
mod error_mapping;
mod flood_drill;
mod front_door;
mod health_and_errors;
mod lambda;
mod observability;
mod openapi_limits;
mod operations;
mod pages;
mod queries;
mod sign_in_limits;
mod slow_clients;
mod spawned;
mod support;
