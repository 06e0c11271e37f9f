//! Every byte is inspected: a header, cookie, query or form value that is not UTF-8 is decoded
//! lossily and checked, never skipped; and the route policy keeps real users' requests apart
//! from attacks in the same shapes.

use expedite_waf::{RuleSet, inspect};
use http::{HeaderMap, HeaderValue, Method, Uri, header};

fn blocked(method: Method, uri: &str, headers: &HeaderMap, body: &[u8]) -> Option<&'static str> {
    let uri: Uri = uri.parse().unwrap();
    inspect(&RuleSet::new(), &method, &uri, headers, body).map(|block| block.rule)
}

fn with(name: header::HeaderName, value: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(name, HeaderValue::from_bytes(value).unwrap());
    headers
}

#[test]
fn values_that_are_not_utf8_are_inspected() {
    let referer = with(header::REFERER, b"\xe9<script>alert(1)</script>");
    assert!(blocked(Method::GET, "/customers", &referer, b"").is_some());
    let agent = with(header::USER_AGENT, b"\xff\xfe' or 1=1 -- ");
    assert!(blocked(Method::GET, "/", &agent, b"").is_some());
    let cookie = with(header::COOKIE, b"theme=\xe9<script>alert(1)</script>");
    assert!(blocked(Method::GET, "/", &cookie, b"").is_some());
    assert!(
        blocked(
            Method::GET,
            "/api/customers?x=%E9%3Cscript%3Ealert(1)",
            &HeaderMap::new(),
            b""
        )
        .is_some()
    );
    let form = with(header::CONTENT_TYPE, b"application/x-www-form-urlencoded");
    assert!(
        blocked(
            Method::POST,
            "/sfn/sign_in",
            &form,
            b"next=\xe9;cat+/etc/passwd"
        )
        .is_some()
    );
    // The same bytes without an attack pass.
    let plain = with(header::REFERER, b"https://example.com/caf\xe9");
    assert_eq!(blocked(Method::GET, "/customers", &plain, b""), None);
}

#[test]
fn the_route_decides_not_the_field_name() {
    let json = with(header::CONTENT_TYPE, b"application/json");
    let name = br#"{"name": "Union Select Logistics; drop table x"}"#;
    assert_eq!(
        blocked(Method::PATCH, "/api/customers/001xx", &json, name),
        None
    );
    // A `name` on a route that does not take free text is inspected.
    let attack = br#"{"name": "1' union select password from users --"}"#;
    assert!(blocked(Method::POST, "/api/salesforce/sync", &json, attack).is_some());
    // XSS stays on for customer fields, which pages render.
    let tag = br#"{"website": "javascript:alert(document.cookie)"}"#;
    assert!(blocked(Method::PATCH, "/api/customers/001xx", &json, tag).is_some());
    // Page sizes are validated by the handler (400), other numbers are still checked.
    assert_eq!(
        blocked(
            Method::GET,
            "/api/customers?limit=2147483648",
            &HeaderMap::new(),
            b""
        ),
        None
    );
    assert!(
        blocked(
            Method::GET,
            "/api/customers?id=2147483648",
            &HeaderMap::new(),
            b""
        )
        .is_some()
    );
    let key = with(
        header::HeaderName::from_static("idempotency-key"),
        b"a'b\";--",
    );
    assert_eq!(blocked(Method::POST, "/api/ai/query", &key, b""), None);
    // SQL injection inside a JSON value of an ordinary field.
    let nested = br#"{"filters": {"industry": "x' or '1'='1"}}"#;
    assert!(blocked(Method::POST, "/api/ai/query", &json, nested).is_some());
    let mongo = br#"{"email": {"$ne": null}}"#;
    assert!(blocked(Method::POST, "/auth/sign-in", &json, mongo).is_some());
}
