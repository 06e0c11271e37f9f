//! Real traffic must pass: questions, company names, search terms, browser User-Agents,
//! Accept-Language values and the UI's query strings (`tests/benign/*.txt`), each sent where
//! real traffic puts it (JSON body, form, query, header), plus every CRS must-pass case that
//! is not an attack meant for another rule. The gate is 0 blocks.

mod support;

use expedite_waf::{RuleSet, inspect};
use http::{HeaderMap, HeaderValue, Method, header};

fn lines(file: &str) -> Vec<String> {
    let path = format!("{}/tests/benign/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// What a signed-in browser sends with every request.
fn browser_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        (
            "user-agent",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        ),
        (
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        ),
        ("accept-language", "ps-AF,ps;q=0.9,en-US;q=0.8,en;q=0.7"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        (
            "referer",
            "https://expedite.example.com/customers?search=O%27Brien&sort=name_asc",
        ),
        (
            "cookie",
            "expedite_access=eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1In0.c2ln; expedite_refresh=r3fr35h-t0k3n'\"; theme=dark",
        ),
        (
            "sec-ch-ua",
            "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"",
        ),
        ("sec-fetch-site", "same-origin"),
        ("origin", "https://expedite.example.com"),
    ] {
        headers.insert(
            header::HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

struct Checker {
    rules: RuleSet,
    sent: usize,
    blocked: Vec<String>,
}

impl Checker {
    fn send(&mut self, what: &str, method: Method, uri: &str, headers: &HeaderMap, body: &[u8]) {
        self.sent += 1;
        let uri: http::Uri = uri.parse().unwrap_or_else(|e| panic!("{uri}: {e}"));
        if let Some(block) = inspect(&self.rules, &method, &uri, headers, body) {
            self.blocked.push(format!(
                "{what}: {method} {uri} ({} in {:?})",
                block.rule, block.location
            ));
        }
    }

    fn json(&mut self, what: &str, method: Method, uri: &str, body: &serde_json::Value) {
        let mut headers = browser_headers();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            "idempotency-key",
            HeaderValue::from_static("retry-'1'-\"a\";--"),
        );
        self.send(what, method, uri, &headers, body.to_string().as_bytes());
    }

    fn form(&mut self, what: &str, uri: &str, fields: &[(&str, &str)]) {
        let mut headers = browser_headers();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let body: Vec<String> = fields
            .iter()
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect();
        self.send(what, Method::POST, uri, &headers, body.join("&").as_bytes());
    }

    fn get(&mut self, what: &str, uri: &str) {
        self.send(what, Method::GET, uri, &browser_headers(), b"");
    }
}

#[test]
fn real_traffic_is_never_blocked() {
    let mut check = Checker {
        rules: RuleSet::new(),
        sent: 0,
        blocked: Vec::new(),
    };
    let questions = lines("questions.txt");
    assert!(questions.len() >= 50);
    for question in &questions {
        check.json(
            "question",
            Method::POST,
            "/api/ai/query",
            &serde_json::json!({ "prompt": question }),
        );
        check.form("question", "/sfn/ask", &[("prompt", question)]);
        check.get(
            "question",
            &format!("/api/customers?search={}&sort=name_asc", encode(question)),
        );
    }
    for name in &lines("company-names.txt") {
        let edit = serde_json::json!({"name": name, "website": "https://www.example.com/?a=1&b=2"});
        check.json(
            "name",
            Method::PATCH,
            "/api/customers/001xx000003DGb2AAG",
            &edit,
        );
        check.get("name", &format!("/api/customers?search={}", encode(name)));
        check.get(
            "name",
            &format!("/customers?search={}&sort=name_asc", encode(name)),
        );
        check.form(
            "name",
            "/sfn/list_customers",
            &[("search", name), ("sort", "name_asc")],
        );
        check.form(
            "name",
            "/sfn/ask",
            &[("prompt", &format!("How is {name} doing?"))],
        );
    }
    for term in &lines("search-terms.txt") {
        check.get(
            "search",
            &format!("/api/customers?search={}&limit=25", encode(term)),
        );
        check.get("search", &format!("/customers?search={}", encode(term)));
        check.form(
            "search",
            "/sfn/list_customers",
            &[("search", term), ("cursor", "")],
        );
    }
    for agent in &lines("user-agents.txt") {
        let mut headers = browser_headers();
        headers.insert(header::USER_AGENT, HeaderValue::from_str(agent).unwrap());
        check.send(
            "user-agent",
            Method::GET,
            "/api/customers?limit=25",
            &headers,
            b"",
        );
        check.send("user-agent", Method::GET, "/", &headers, b"");
    }
    for language in &lines("accept-language.txt") {
        let mut headers = browser_headers();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(language).unwrap(),
        );
        check.send("accept-language", Method::GET, "/customers", &headers, b"");
    }
    for query in &lines("query-strings.txt") {
        for route in ["/api/customers", "/api/ai/queries", "/customers"] {
            check.get("query", &format!("{route}?{query}"));
        }
    }
    check.form(
        "sign-in",
        "/sfn/sign_in",
        &[
            ("email", "o'brien@example.com"),
            ("password", "' OR 1=1; -- <script>"),
            ("next", "/customers"),
        ],
    );
    check.json(
        "sign-in",
        Method::POST,
        "/auth/sign-in",
        &serde_json::json!({"email": "a@example.com", "password": "$(rm -rf /); DROP TABLE x"}),
    );
    let crs = crs_must_pass_cases(&mut check);
    println!(
        "benign requests: {} sent ({crs} from the CRS corpus), {} blocked",
        check.sent,
        check.blocked.len()
    );
    assert!(check.blocked.is_empty(), "{:#?}", check.blocked);
}

/// The CRS must-pass cases, less those listed as attacks for another rule.
fn crs_must_pass_cases(check: &mut Checker) -> usize {
    let elsewhere: Vec<(String, u64)> = lines("crs-attacks-elsewhere.txt")
        .iter()
        .map(|line| {
            let mut parts = line.split_whitespace();
            let file = parts.next().unwrap().to_owned();
            (file, parts.next().unwrap().parse().unwrap())
        })
        .collect();
    let dir = support::corpus_dir();
    let mut count = 0;
    for case in support::cases(&dir) {
        let id = case
            .test
            .trim_start_matches("Number(")
            .trim_end_matches(')');
        let listed = elsewhere
            .iter()
            .any(|(file, test)| *file == case.file && id.parse() == Ok(*test));
        if case.attack_rule.is_some() || case.must_not.is_empty() || listed {
            continue;
        }
        count += 1;
        let what = format!("CRS {} {}", case.file, case.test);
        check.send(
            &what,
            case.method.clone(),
            &case.uri.to_string(),
            &case.headers,
            &case.body,
        );
    }
    assert!(count > 0, "no CRS must-pass case found");
    count
}
