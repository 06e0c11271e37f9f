//! The edge layers in front of the router: security headers and rate limits.

mod headers;
mod rate_limit;

pub use headers::security_headers;
pub use rate_limit::{RateLimiting, limit};
