//! The request filter: what AWS WAF's managed rules do for the AWS deployment, in process for
//! the self-hosted one.
//!
//! A request is split into the values an attacker controls (path, query parameters, form and
//! JSON values, cookies, headers), each is decoded the way servers, browsers and shells would
//! decode it, and each is checked by the rules that OWASP CRS (paranoia level 1) applies to
//! that part of a request, plus libinjection for SQL injection and XSS. How strictly a value
//! is inspected is decided per route and field (`policy`): the text a product invites (a
//! question, a search, a customer's name) is not an attack, and its defence is parameterised
//! queries and output encoding.

mod decode;
mod detect;
mod extract;
mod policy;
mod rules;
mod xml;

pub use detect::{Detection, Detector, RuleSet};
pub use extract::{Field, Location, fields};
pub use policy::{Policy, Treatment};
pub use rules::crs_rule_of;

/// Why a request was blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The rule that matched, e.g. `sqli-libinjection` or `lfi-traversal`.
    pub rule: &'static str,
    /// Where in the request.
    pub location: Location,
}

impl Block {
    /// The rule's family, the part of its id before the first `-` (`sqli`, `xss`, `lfi`, `rce`).
    pub fn family(&self) -> &'static str {
        self.rule.split('-').next().unwrap_or(self.rule)
    }
}

/// Inspects a request; `None` when it may pass.
pub fn inspect(
    detector: &dyn Detector,
    method: &http::Method,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Option<Block> {
    let policy = Policy::for_route(method, uri.path());
    fields(method, uri, headers, body).iter().find_map(|field| {
        let treatment = policy.treatment(field.location, field.name.as_deref());
        detector.detect(field, treatment).map(|detection| Block {
            rule: detection.rule,
            location: field.location,
        })
    })
}
