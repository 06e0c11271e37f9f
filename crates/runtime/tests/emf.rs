//! On Lambda, metrics leave as CloudWatch Embedded Metric Format lines: each a JSON object
//! whose `_aws` envelope names the namespace, dimensions and metrics with their units, and
//! whose top level carries the dimension values and the metric values. (Its own test binary:
//! a process has one global recorder.)

use std::time::Duration;

use expedite_core::metrics;
use expedite_domain::Deployment;
use expedite_runtime::telemetry::{self, MetricsSink, NAMESPACE};
use serde_json::Value;

#[test]
fn lambda_metrics_are_embedded_metric_format_lines() {
    assert!(matches!(
        telemetry::install_metrics(Deployment::Lambda, "worker"),
        MetricsSink::Emf(_)
    ));
    metrics::query("completed");
    metrics::query("completed");
    metrics::model_call("OpenAI gpt-4o-mini", "ok", Duration::from_millis(1500));
    metrics::model_call("OpenAI gpt-4o-mini", "ok", Duration::from_millis(500));
    metrics::http_request("/api/me", "GET", 200, Duration::from_millis(3));

    let mut out = Vec::new();
    telemetry::flush_emf(&mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON document"))
        .collect();
    assert!(!lines.is_empty());

    for line in &lines {
        let envelope = &line["_aws"];
        assert!(
            envelope["Timestamp"]
                .as_u64()
                .is_some_and(|ms| ms > 1_600_000_000_000)
        );
        let directive = &envelope["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        // Every dimension named in the envelope has its value at the top level.
        let dimensions = directive["Dimensions"][0].as_array().unwrap();
        assert!(dimensions.iter().any(|d| d == "function"), "{line}");
        for dimension in dimensions {
            assert!(
                line[dimension.as_str().unwrap()].is_string(),
                "{dimension} in {line}"
            );
        }
        assert_eq!(line["function"], "worker");
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(!line[name].is_null(), "{name} has a value in {line}");
        }
    }

    let find = |name: &str, dimension: (&str, &str)| {
        lines
            .iter()
            .find(|line| line[dimension.0] == dimension.1 && !line[name].is_null())
            .unwrap_or_else(|| panic!("no {name} with {dimension:?}: {lines:?}"))
    };
    let completed = find(metrics::QUERIES, ("event", "completed"));
    assert_eq!(completed[metrics::QUERIES], 2);
    assert_eq!(unit(completed, metrics::QUERIES), "Count");

    // A histogram's samples go as a list of values, in its unit.
    let latency = find(metrics::MODEL_LATENCY, ("model", "OpenAI gpt-4o-mini"));
    let mut samples: Vec<f64> = latency[metrics::MODEL_LATENCY]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    samples.sort_by(f64::total_cmp);
    assert_eq!(samples, [0.5, 1.5]);
    assert_eq!(unit(latency, metrics::MODEL_LATENCY), "Seconds");

    let requests = find(metrics::HTTP_REQUESTS, ("route", "/api/me"));
    assert_eq!(requests["status"], "200");
    assert_eq!(requests["method"], "GET");

    // A flush sends what is new: counters start again from nothing.
    let mut out = Vec::new();
    telemetry::flush_emf(&mut out).unwrap();
    assert!(!String::from_utf8(out).unwrap().contains(metrics::QUERIES));
}

fn unit<'a>(line: &'a Value, name: &str) -> &'a str {
    line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|metric| metric["Name"] == name)
        .and_then(|metric| metric["Unit"].as_str())
        .unwrap_or("none")
}
