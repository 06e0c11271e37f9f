//! The paths through the AWS front door: CloudFront (in `infra/template.yaml`) sends `/pkg/*`
//! and the favicon to the bucket and everything else to the API stage. A page the Lambda renders
//! must link only to files of the static behaviours, and its links, forms and server functions
//! must take the default behaviour to the same router, at the same root paths.

use serde_json::Value;

use crate::lambda::{LOCAL_USER, LambdaServer};

const TEMPLATE: &str = include_str!("../../../infra/template.yaml");

/// The distribution's static path patterns and the API origin's path, read from the template.
fn front_door() -> (Vec<String>, String) {
    let template: serde_yaml::Value = serde_yaml::from_str(TEMPLATE).unwrap();
    let config = &template["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let patterns = config["CacheBehaviors"]
        .as_sequence()
        .expect("static behaviours")
        .iter()
        .map(|b| b["PathPattern"].as_str().unwrap().to_owned())
        .collect();
    let origin_path = config["Origins"]
        .as_sequence()
        .unwrap()
        .iter()
        .find_map(|origin| origin.get("OriginPath"))
        .map(|path| match path {
            serde_yaml::Value::Tagged(tagged) => tagged.value.as_str().unwrap().to_owned(),
            other => other.as_str().unwrap().to_owned(),
        })
        .expect("the API origin has an origin path");
    (patterns, origin_path)
}

/// CloudFront's path patterns: `*` matches any run of characters, `?` one.
fn matches(pattern: &str, path: &str) -> bool {
    match (pattern.chars().next(), path.chars().next()) {
        (None, None) => true,
        (Some('*'), _) => {
            matches(&pattern[1..], path)
                || (!path.is_empty()
                    && matches(pattern, &path[path.chars().next().unwrap().len_utf8()..]))
        }
        (Some('?'), Some(c)) => matches(&pattern[1..], &path[c.len_utf8()..]),
        (Some(p), Some(c)) if p == c => matches(&pattern[p.len_utf8()..], &path[c.len_utf8()..]),
        _ => false,
    }
}

/// The root-absolute `href`, `src` and `action` values of a page.
fn local_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\"", "action=\""] {
        for part in html.split(attribute).skip(1) {
            let value = part.split('"').next().unwrap_or_default();
            if value.starts_with('/') && !value.starts_with("//") {
                found.push(value.split(['?', '#']).next().unwrap().to_owned());
            }
        }
    }
    found
}

#[test]
fn cloudfront_patterns_match_as_documented() {
    assert!(matches("/pkg/*", "/pkg/expedite.wasm"));
    assert!(matches("/favicon.svg", "/favicon.svg"));
    assert!(!matches("/pkg/*", "/pkgs"));
    assert!(matches("/a?c", "/abc"));
}

#[tokio::test]
async fn a_page_its_assets_and_its_server_functions_take_the_front_doors_paths() {
    let (statics, origin_path) = front_door();
    // The events below come as the `prod` stage sends them, which the origin path selects.
    assert_eq!(origin_path, "/${StageName}");
    let is_static = |path: &str| statics.iter().any(|pattern| matches(pattern, path));

    let server = LambdaServer::start().await;
    let page = server.call("GET", "/sign-in").await;
    assert_eq!(page["statusCode"], 200, "{page}");
    // Behind CloudFront the site is HTTPS only: HSTS on every response.
    let headers = page["multiValueHeaders"].to_string() + &page["headers"].to_string();
    assert!(
        headers.contains("strict-transport-security"),
        "HSTS on Lambda: {headers}"
    );
    let html = page["body"].as_str().unwrap();
    let references = local_references(html);
    // The bundle's names carry their hash when cargo-leptos left `hash.txt` beside the binary
    // (a site build in the same target directory), and are plain otherwise.
    let bundle = |reference: &str, extension: &str| {
        reference
            .strip_prefix("/pkg/expedite")
            .and_then(|rest| rest.strip_suffix(extension))
            .is_some_and(|hash| {
                hash.is_empty()
                    || hash.strip_prefix('.').is_some_and(|hash| {
                        !hash.is_empty()
                            && hash
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    })
            })
    };
    for extension in [".js", ".css"] {
        assert!(
            references.iter().any(|r| bundle(r, extension)),
            "the bundle's {extension} in {references:?}"
        );
    }
    assert!(
        references.iter().any(|r| r == "/favicon.svg"),
        "{references:?}"
    );
    for reference in &references {
        if reference.starts_with("/pkg/") || reference.starts_with("/favicon") {
            assert!(
                is_static(reference),
                "{reference} is served from the bucket"
            );
        } else {
            assert!(!is_static(reference), "{reference} goes to the API stage");
        }
    }
    // The wasm the script loads is a static file too.
    assert!(is_static("/pkg/expedite.wasm"));

    // A server function and an API call at the root paths the browser uses.
    let bearer = server.bearer(LOCAL_USER.0, LOCAL_USER.1).await;
    for (method, path) in [("POST", "/sfn/current_user"), ("GET", "/api/me")] {
        assert!(!is_static(path));
        let response = server
            .call_json(method, path, &[("Authorization", &bearer)], None)
            .await;
        assert_eq!(response["statusCode"], 200, "{path}: {response}");
        let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
        assert!(!body.is_null(), "{path}: {body}");
    }
}
