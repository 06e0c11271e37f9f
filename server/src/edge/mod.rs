//! The edge layers in front of the router: security headers, rate limits and the request
//! filter.

mod client;
mod filter;
mod headers;
mod observe;
mod rate_limit;

pub use filter::filter;
pub use headers::security_headers;
pub use observe::{REQUEST_ID, RequestId, observe, request_span};
pub use rate_limit::{RateLimiting, limit};
