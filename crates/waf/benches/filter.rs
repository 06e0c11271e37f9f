//! The request filter's own cost per request: a page load with a browser's usual headers and
//! a 1 KB JSON POST. `cargo bench -p expedite-waf --bench filter` (no criterion: a timed loop).

use std::time::Instant;

use expedite_waf::{RuleSet, inspect};
use http::{HeaderMap, HeaderValue, Method, Uri, header::HeaderName};

const ROUNDS: u32 = 20_000;

fn browser_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", "expedite.example.com"),
        (
            "user-agent",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        ),
        (
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        ),
        ("accept-language", "en-US,en;q=0.9,fr;q=0.8"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        (
            "referer",
            "https://expedite.example.com/customers?search=acme&sort=name_asc",
        ),
        (
            "cookie",
            "expedite_access=eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl; expedite_refresh=cmVmcmVzaA; theme=dark",
        ),
        (
            "sec-ch-ua",
            "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"",
        ),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", "\"Windows\""),
        ("sec-fetch-site", "same-origin"),
        ("sec-fetch-mode", "navigate"),
        ("upgrade-insecure-requests", "1"),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    headers
}

fn time(
    label: &str,
    rules: &RuleSet,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) {
    assert!(
        inspect(rules, method, uri, headers, body).is_none(),
        "{label} must pass"
    );
    for _ in 0..500 {
        std::hint::black_box(inspect(rules, method, uri, headers, body));
    }
    let started = Instant::now();
    for _ in 0..ROUNDS {
        std::hint::black_box(inspect(rules, method, uri, headers, body));
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(ROUNDS);
    println!("{label}: {micros:.1} µs per request");
}

fn main() {
    let rules = RuleSet::new();
    let headers = browser_headers();
    let page: Uri = "/customers?search=acme&sort=name_asc&cursor=eyJrIjoiY3VzdG9tZXJzIn0"
        .parse()
        .unwrap();
    time(
        "GET, browser headers",
        &rules,
        &Method::GET,
        &page,
        &headers,
        b"",
    );

    let mut json_headers = headers.clone();
    json_headers.insert("content-type", HeaderValue::from_static("application/json"));
    let records: Vec<_> = (0..8)
        .map(|n| serde_json::json!({"id": format!("001xx00000{n}"), "name": format!("Acme Holdings {n}"), "industry": "Manufacturing", "city": "Lyon", "revenue": 5_000_000 + n}))
        .collect();
    let body = serde_json::json!({"prompt": "Which manufacturing accounts over $5M have not changed in 90 days?", "context": records}).to_string();
    assert!((900..1300).contains(&body.len()), "{}", body.len());
    let post: Uri = "/api/ai/query".parse().unwrap();
    time(
        "POST, 1 KB JSON",
        &rules,
        &Method::POST,
        &post,
        &json_headers,
        body.as_bytes(),
    );
}
