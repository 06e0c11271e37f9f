//! The OWASP CRS regression corpus (`../shared/corpus/crs`, go-ftw YAML) as requests for the
//! filter. Reads whatever files are there; no corpus string is in this code.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

/// The corpus: `EXPEDITE_CRS_CORPUS`, or `../shared/corpus/crs` beside the workspace. A
/// missing corpus fails the test: a filter that was never measured has not passed.
pub(crate) fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("EXPEDITE_CRS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/crs")
        });
    assert!(
        dir.join("paranoia-levels.json").is_file(),
        "CRS corpus not found at {} (set EXPEDITE_CRS_CORPUS)",
        dir.display()
    );
    dir
}

/// A request as go-ftw would send it, built for the filter.
pub(crate) struct Case {
    /// The file's name, e.g. `942100.yaml`.
    pub(crate) file: String,
    pub(crate) test: String,
    pub(crate) method: http::Method,
    pub(crate) uri: http::Uri,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Vec<u8>,
    /// The rule the request is an attack for; `None` for a request that must pass.
    pub(crate) attack_rule: Option<u64>,
    /// For a must-pass case, the rules it must not trigger.
    pub(crate) must_not: Vec<u64>,
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

/// Every request of every YAML file under `dir`.
pub(crate) fn cases(dir: &Path) -> Vec<Case> {
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
                let must_not: Vec<u64> = stage["output"]["log"]["no_expect_ids"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_u64)
                    .collect();
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
                        http::HeaderValue::from_bytes(value.as_bytes()),
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
                    must_not,
                });
            }
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
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
