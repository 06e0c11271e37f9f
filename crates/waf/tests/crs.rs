//! The OWASP CRS regression corpus (`../shared/corpus/crs`, go-ftw YAML) against the filter:
//! paranoia-level-1 attacks must be blocked (≥ 90 %), the cases that must pass must pass
//! (≤ 5 % false positives). Reads whatever files are there; no corpus string is in this code.

use std::{collections::HashMap, path::PathBuf};

use expedite_waf::{RuleSet, inspect};
use serde_yaml::Value;

const MIN_BLOCK_RATE: f64 = 0.90;
const MAX_FALSE_POSITIVE_RATE: f64 = 0.05;

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("EXPEDITE_CRS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/crs")
        });
    dir.is_dir().then_some(dir)
}

/// A request as go-ftw would send it, built for the filter.
struct Case {
    file: String,
    test: String,
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Vec<u8>,
    attack_rule: Option<u64>,
}

/// Characters a client would percent-encode before sending.
fn escape_uri(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b' '
            | b'"'
            | b'<'
            | b'>'
            | b'\\'
            | b'^'
            | b'`'
            | b'{'
            | b'|'
            | b'}'
            | 0..=0x1f
            | 0x7f..=0xff => {
                format!("%{b:02X}")
            }
            _ => (b as char).to_string(),
        })
        .collect()
}

fn cases(dir: &PathBuf) -> Vec<Case> {
    let mut out = Vec::new();
    let mut files: Vec<_> = walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(doc) = serde_yaml::from_str::<Value>(&text) else {
            continue;
        };
        for test in doc["tests"].as_sequence().into_iter().flatten() {
            for stage in test["stages"].as_sequence().into_iter().flatten() {
                let input = &stage["input"];
                if input.get("encoded_request").is_some() {
                    continue;
                }
                let expect = stage["output"]["log"]["expect_ids"]
                    .as_sequence()
                    .and_then(|ids| ids.first())
                    .and_then(Value::as_u64);
                let no_expect = stage["output"]["log"]["no_expect_ids"]
                    .as_sequence()
                    .is_some();
                if expect.is_none() && !no_expect {
                    continue;
                }
                let method = input["method"]
                    .as_str()
                    .unwrap_or("GET")
                    .parse()
                    .unwrap_or(http::Method::GET);
                let uri = escape_uri(input["uri"].as_str().unwrap_or("/"));
                let Ok(uri) = uri.parse::<http::Uri>() else {
                    continue;
                };
                let mut headers = http::HeaderMap::new();
                for (name, value) in input["headers"].as_mapping().into_iter().flatten() {
                    let (Some(name), Some(value)) = (
                        name.as_str(),
                        value
                            .as_str()
                            .map(str::to_owned)
                            .or_else(|| value.as_i64().map(|n| n.to_string())),
                    ) else {
                        continue;
                    };
                    if let (Ok(name), Ok(value)) = (
                        name.parse::<http::HeaderName>(),
                        http::HeaderValue::from_str(&value),
                    ) {
                        headers.append(name, value);
                    }
                }
                let body = match &input["data"] {
                    Value::String(data) => data.clone().into_bytes(),
                    Value::Sequence(lines) => lines
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\r\n")
                        .into_bytes(),
                    _ => Vec::new(),
                };
                out.push(Case {
                    file: path.file_name().unwrap().to_string_lossy().into_owned(),
                    test: format!("{:?}", test["test_id"]),
                    method,
                    uri,
                    headers,
                    body,
                    attack_rule: if no_expect { None } else { expect },
                });
            }
        }
    }
    out
}

fn walk(dir: &PathBuf) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn crs_corpus_block_and_false_positive_rates() {
    let Some(dir) = corpus_dir() else {
        println!("CRS corpus not found (set EXPEDITE_CRS_CORPUS); nothing to measure");
        return;
    };
    let levels: HashMap<String, u64> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("paranoia-levels.json")).unwrap())
            .unwrap();
    let rules = RuleSet::new();
    // EXPEDITE_CRS_VERBOSE=1 lists every missed attack, for tuning the rules.
    let verbose = std::env::var_os("EXPEDITE_CRS_VERBOSE").is_some();
    let (mut attacks, mut blocked, mut benign, mut false_positives) = (0, 0, 0, 0);
    let mut missed: HashMap<String, usize> = HashMap::new();
    let mut wrongly: Vec<String> = Vec::new();
    for case in cases(&dir) {
        let verdict = inspect(&rules, &case.method, &case.uri, &case.headers, &case.body);
        match case.attack_rule {
            Some(rule) if levels.get(&rule.to_string()) == Some(&1) => {
                attacks += 1;
                if verdict.is_some() {
                    blocked += 1;
                } else {
                    *missed.entry(case.file.clone()).or_default() += 1;
                    if verbose {
                        println!(
                            "missed {} {}: {} {:.120}",
                            case.file,
                            case.test,
                            case.uri,
                            String::from_utf8_lossy(&case.body)
                        );
                    }
                }
            }
            Some(_) => {}
            None => {
                benign += 1;
                if let Some(block) = verdict {
                    false_positives += 1;
                    wrongly.push(format!("{} {} ({})", case.file, case.test, block.rule));
                }
            }
        }
    }
    let block_rate = f64::from(blocked) / f64::from(attacks.max(1));
    let fp_rate = f64::from(false_positives) / f64::from(benign.max(1));
    let mut missed: Vec<_> = missed.into_iter().collect();
    missed.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    println!(
        "CRS paranoia-level-1 attacks blocked: {blocked}/{attacks} = {:.1} %",
        block_rate * 100.0
    );
    println!(
        "CRS must-pass cases blocked: {false_positives}/{benign} = {:.1} %",
        fp_rate * 100.0
    );
    println!("most missed files: {:?}", &missed[..missed.len().min(15)]);
    println!("false positives: {wrongly:?}");
    assert!(
        block_rate >= MIN_BLOCK_RATE,
        "block rate {block_rate:.3} below {MIN_BLOCK_RATE}"
    );
    assert!(
        fp_rate <= MAX_FALSE_POSITIVE_RATE,
        "false-positive rate {fp_rate:.3} above {MAX_FALSE_POSITIVE_RATE}"
    );
}
