//! What each route's fields are, so the filter inspects each value as strictly as it means:
//! a question or a customer's name is text people type (its defence is parameterised queries
//! and output encoding), a password or an idempotency key is opaque, a page size is a number
//! the handler validates. Decided per route and field, never by field name across routes: a
//! `name` or `q` elsewhere is inspected like any value.
//!
//! Server functions under `/sfn/` (the Leptos UI's forms) follow the same policy as the REST
//! routes they stand beside.

use http::Method;

use crate::Location;

/// How one value is inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// By every rule that reads its part of the request.
    Inspect,
    /// Free text: no SQL, command or path rules; XSS rules only when `xss` (text the UI
    /// renders back in attributes or links, such as a customer's website).
    Prose { xss: bool },
    /// A number the handler validates (an out-of-range one is a 400, not an attack): digits are
    /// not inspected, anything else is.
    Numeric,
    /// A secret or an opaque token (checked cryptographically or only compared): not inspected.
    Opaque,
}

/// Where a named value is, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Query,
    Body,
    Header,
    Cookie,
}

/// One route's fields with a treatment other than `Inspect`.
struct Route {
    method: Method,
    /// Path with `*` for one segment (`/api/customers/*`).
    path: &'static str,
    fields: &'static [(Part, &'static str, Treatment)],
}

const QUESTION: Treatment = Treatment::Prose { xss: false };
/// Customer fields are shown in pages (escaped) and links; keep the XSS rules on them.
const CUSTOMER_TEXT: Treatment = Treatment::Prose { xss: true };

const ASK: &[(Part, &str, Treatment)] = &[
    (Part::Body, "prompt", QUESTION),
    (Part::Header, "idempotency-key", Treatment::Opaque),
];
const LISTING: &[(Part, &str, Treatment)] = &[
    (Part::Query, "search", QUESTION),
    (Part::Query, "q", QUESTION),
    (Part::Query, "limit", Treatment::Numeric),
    (Part::Body, "search", QUESTION),
];
const CUSTOMER_EDIT: &[(Part, &str, Treatment)] = &[
    (Part::Body, "name", CUSTOMER_TEXT),
    (Part::Body, "type", CUSTOMER_TEXT),
    (Part::Body, "industry", CUSTOMER_TEXT),
    (Part::Body, "billing_city", CUSTOMER_TEXT),
    (Part::Body, "billing_country", CUSTOMER_TEXT),
    (Part::Body, "phone", CUSTOMER_TEXT),
    (Part::Body, "website", CUSTOMER_TEXT),
];
const SIGN_IN: &[(Part, &str, Treatment)] = &[(Part::Body, "password", Treatment::Opaque)];
const NEW_PASSWORD: &[(Part, &str, Treatment)] = &[
    (Part::Body, "new_password", Treatment::Opaque),
    (Part::Body, "password", Treatment::Opaque),
    (Part::Body, "session", Treatment::Opaque),
];
const REFRESH: &[(Part, &str, Treatment)] = &[(Part::Body, "refresh_token", Treatment::Opaque)];

fn routes() -> [Route; 13] {
    let route = |method: Method, path, fields| Route {
        method,
        path,
        fields,
    };
    [
        route(Method::POST, "/api/ai/query", ASK),
        route(Method::POST, "/sfn/ask", ASK),
        route(Method::GET, "/api/customers", LISTING),
        route(Method::GET, "/api/ai/queries", LISTING),
        route(Method::GET, "/api/salesforce/syncs", LISTING),
        route(Method::GET, "/customers", LISTING),
        route(Method::POST, "/sfn/list_customers", LISTING),
        route(Method::PATCH, "/api/customers/*", CUSTOMER_EDIT),
        route(Method::POST, "/auth/sign-in", SIGN_IN),
        route(Method::POST, "/sfn/sign_in", SIGN_IN),
        route(Method::POST, "/auth/new-password", NEW_PASSWORD),
        route(Method::POST, "/sfn/complete_new_password", NEW_PASSWORD),
        route(Method::POST, "/auth/refresh", REFRESH),
    ]
}

/// Session cookies are signed tokens on every route.
const OPAQUE_COOKIES: [&str; 2] = ["expedite_access", "expedite_refresh"];

/// The fields of one request's route.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    fields: &'static [(Part, &'static str, Treatment)],
}

impl Policy {
    /// The policy of the route `method` and `path` name (none: every value inspected).
    pub fn for_route(method: &Method, path: &str) -> Self {
        let fields = routes()
            .into_iter()
            .find(|route| route.method == *method && path_matches(route.path, path))
            .map_or(&[][..], |route| route.fields);
        Self { fields }
    }

    /// How the value at `location` named `name` is inspected.
    pub fn treatment(&self, location: Location, name: Option<&str>) -> Treatment {
        let parts: &[Part] = match location {
            Location::QueryValue => &[Part::Query],
            Location::BodyValue => &[Part::Body],
            // A `name=value` pair is treated like its value, wherever it was.
            Location::Pair => &[Part::Query, Part::Body],
            Location::Header => &[Part::Header],
            Location::Cookie => &[Part::Cookie],
            _ => return Treatment::Inspect,
        };
        let Some(name) = name else {
            return Treatment::Inspect;
        };
        if parts.contains(&Part::Cookie) && OPAQUE_COOKIES.contains(&name) {
            return Treatment::Opaque;
        }
        self.fields
            .iter()
            .find(|(part, field, _)| parts.contains(part) && field.eq_ignore_ascii_case(name))
            .map_or(Treatment::Inspect, |(_, _, treatment)| *treatment)
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let mut wanted = pattern.split('/');
    let mut actual = path.split('/');
    loop {
        match (wanted.next(), actual.next()) {
            (None, None) => return true,
            (Some("*"), Some(segment)) if !segment.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decided_per_route() {
        let ask = Policy::for_route(&Method::POST, "/api/ai/query");
        assert_eq!(ask.treatment(Location::BodyValue, Some("prompt")), QUESTION);
        assert_eq!(
            ask.treatment(Location::Header, Some("idempotency-key")),
            Treatment::Opaque
        );
        // The same name on another route is an ordinary value.
        let other = Policy::for_route(&Method::POST, "/api/salesforce/sync");
        assert_eq!(
            other.treatment(Location::BodyValue, Some("prompt")),
            Treatment::Inspect
        );
        let edit = Policy::for_route(&Method::PATCH, "/api/customers/001xx");
        assert_eq!(
            edit.treatment(Location::BodyValue, Some("name")),
            CUSTOMER_TEXT
        );
        let read = Policy::for_route(&Method::GET, "/api/customers/001xx");
        assert_eq!(
            read.treatment(Location::QueryValue, Some("name")),
            Treatment::Inspect
        );
        let list = Policy::for_route(&Method::GET, "/api/customers");
        assert_eq!(
            list.treatment(Location::QueryValue, Some("limit")),
            Treatment::Numeric
        );
        assert_eq!(
            list.treatment(Location::QueryValue, Some("sort")),
            Treatment::Inspect
        );
        assert_eq!(
            other.treatment(Location::Cookie, Some("expedite_access")),
            Treatment::Opaque
        );
        assert!(!path_matches("/api/customers/*", "/api/customers/1/x"));
        assert!(path_matches("/api/customers", "/api/customers/"));
    }
}
