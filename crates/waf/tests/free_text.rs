//! Questions people really ask (quotes, SQL words, angle brackets, code) must never be blocked
//! in the fields that invite free text: the AI prompt and the search box.

use expedite_waf::{RuleSet, inspect};

const QUESTIONS: &[&str] = &[
    "What's O'Brien Ltd's revenue?",
    "accounts where Type = 'Partner' or Industry is null",
    "<b>urgent</b> renewals",
    "select the top 5 by revenue; drop the rest",
    "Which manufacturing accounts over $5M have not changed in 90 days?",
    "Show me customers in Lyon or Paris -- only the big ones",
    "Compare revenue of 'Acme' vs \"Globex\"",
    "List accounts with revenue > 1000000 and < 5000000",
    "Who owns account 001000000000001AAA?",
    "Which accounts have Type = \"Customer - Direct\"?",
    "How many partners do we have in the US & Canada?",
    "Find accounts whose website contains /shop/",
    "Union Pacific and Union Bank: which one grew faster?",
    "Delete from my list anyone who hasn't bought in 2 years, then show the rest",
    "What does `SELECT * FROM accounts` return for energy companies?",
    "Is 1=1 a good heuristic for lead scoring? (joke) Show top leads",
    "accounts where name like '%tech%'",
    "Rank industries by average revenue; include nulls",
    "Show accounts updated since 2024-01-01 00:00",
    "Which customers use <script> tags in their website field?",
    "I need the C:\\Users\\sales\\report numbers for Q3",
    "Accounts in São Paulo, Zürich or Kraków?",
    "What's the sum of revenue for O'Reilly & Sons; Smith & Wesson?",
    "echo the names of all banking customers",
    "Which accounts did we lose between Q1 and Q2 (churned)?",
    "Top 10 accounts ordered by revenue desc",
    "accounts with phone numbers starting with +33",
    "List 'Prospect' accounts that are > $1,000,000",
    "Group customers by BillingCountry and count them",
    "Why did revenue for account #42 drop?",
    "find cat food retailers",
    "Which accounts mention 'script' or 'alert' in their name?",
    "Show me the <top> 3 retail accounts",
    "Customers where Industry != 'Retail' and AnnualRevenue >= 2e6",
    "Is there an account called \"Null Industries\"?",
    "Which accounts have no owner (OwnerId is empty)?",
    "What is 50% of Acme's revenue?",
    "accounts | sorted by name",
    "Show me & explain the largest deal",
    "Give me a SQL-like summary: SELECT industry, COUNT(*) GROUP BY industry",
    "Which customers are in /energy/ vertical?",
    "Accounts named Drop Table Inc. exist?",
    "revenue of \"Smith's Bakery\" vs 'Jones Bakery'",
    "Any accounts with website https://example.com?ref=1&utm=2",
    "Show partners; exclude competitors",
    "compare this year's revenue to last year's",
    "Which customers changed in the last 7 days (since Monday)?",
    "List accounts where City in ('Lyon', 'Osaka')",
    "What percentage of accounts are 'Customer - Channel'?",
    "Summarize <em>key</em> risks for our top 5 accounts",
    "How do I read the report at ../reports/q3?",
    "Which account has the id 1 or 2?",
    "Tell me about accounts in the 'Energy' industry -- briefly",
    "Are there accounts whose names start with a number like 3M?",
    "Should we call Acme before Friday? What's their status",
];

#[test]
fn realistic_questions_pass_as_prompts_and_searches() {
    let rules = RuleSet::new();
    assert!(QUESTIONS.len() >= 50);
    let mut blocked = Vec::new();
    for question in QUESTIONS {
        let body = serde_json::json!({ "prompt": question }).to_string();
        let mut json = http::HeaderMap::new();
        json.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        let post: http::Uri = "/api/ai/query".parse().unwrap();
        if let Some(block) = inspect(&rules, &http::Method::POST, &post, &json, body.as_bytes()) {
            blocked.push(format!("prompt {question:?}: {}", block.rule));
        }
        let encoded: String = url_encode(question);
        let get: http::Uri = format!("/api/customers?search={encoded}&sort=name_asc")
            .parse()
            .unwrap();
        if let Some(block) = inspect(
            &rules,
            &http::Method::GET,
            &get,
            &http::HeaderMap::new(),
            b"",
        ) {
            blocked.push(format!("search {question:?}: {}", block.rule));
        }
    }
    assert!(blocked.is_empty(), "{blocked:#?}");
}

#[test]
fn the_same_attacks_in_ordinary_fields_are_blocked() {
    let rules = RuleSet::new();
    for (name, value) in [
        ("id", "1' OR '1'='1"),
        ("file", "../../etc/passwd"),
        ("next", "<script>alert(1)</script>"),
        ("host", "example.com; cat /etc/shadow"),
    ] {
        let uri: http::Uri = format!("/api/customers?{name}={}", url_encode(value))
            .parse()
            .unwrap();
        assert!(
            inspect(
                &rules,
                &http::Method::GET,
                &uri,
                &http::HeaderMap::new(),
                b""
            )
            .is_some(),
            "{name}={value}"
        );
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
