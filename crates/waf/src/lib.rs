//! The request filter: what AWS WAF's managed rules do for the AWS deployment, in process for
//! the self-hosted one.
//!
//! A request is split into the values an attacker controls (path, query parameters, form and
//! JSON string values, cookies, most headers), each is decoded the way servers and browsers
//! would decode it, and each is checked by libinjection (SQL injection, XSS) and by compiled
//! patterns for path traversal, sensitive files and command injection. Fields where the
//! product invites free text (a question, a search box, a password) are exempt: their defence
//! is parameterised queries and output encoding.

mod decode;
mod detect;
mod extract;

pub use detect::{Detection, Detector, RuleSet};
pub use extract::{Field, Location, fields};

/// Why a request was blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The rule that matched, e.g. `sqli-libinjection` or `lfi-traversal`.
    pub rule: &'static str,
    /// Where in the request.
    pub location: Location,
}

/// Field names whose values are not inspected: free text by design (a question, a search, a
/// password) or opaque tokens that are verified cryptographically (the session cookies).
pub const EXEMPT_FIELDS: [&str; 6] = [
    "prompt",
    "search",
    "password",
    "q",
    "expedite_access",
    "expedite_refresh",
];

/// Inspects a request; `None` when it may pass.
pub fn inspect(
    detector: &dyn Detector,
    method: &http::Method,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Option<Block> {
    for field in fields(method, uri, headers, body) {
        if field
            .name
            .as_deref()
            .is_some_and(|name| EXEMPT_FIELDS.contains(&name.to_ascii_lowercase().as_str()))
        {
            continue;
        }
        for value in decode::variants(&field.value) {
            if let Some(detection) = detector.detect(&value, field.location) {
                return Some(Block {
                    rule: detection.rule,
                    location: field.location,
                });
            }
        }
    }
    None
}
