//! What CloudWatch Logs does with a function's stdout: lines go to the log (here the stack's own
//! stdout), and Embedded Metric Format lines — JSON objects with an `_aws` member — become
//! metrics (here kept per function, for tests to read).

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::ChildStdout,
};

/// The EMF documents each function wrote, in order.
#[derive(Debug, Clone, Default)]
pub struct MetricLog(Arc<Mutex<Vec<(String, Value)>>>);

impl MetricLog {
    /// Reads `stdout` of `function` until it closes.
    pub(crate) fn follow(&self, function: &str, stdout: ChildStdout) {
        let (log, function) = (self.clone(), function.to_owned());
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<Value>(&line) {
                    Ok(document) if document.get("_aws").is_some() => log
                        .0
                        .lock()
                        .expect("the metric log lock")
                        .push((function.clone(), document)),
                    _ => println!("{line}"),
                }
            }
        });
    }

    /// The EMF documents `function` (e.g. `ServerFunction`) has written so far.
    pub fn documents(&self, function: &str) -> Vec<Value> {
        self.0
            .lock()
            .expect("the metric log lock")
            .iter()
            .filter(|(from, _)| from == function)
            .map(|(_, document)| document.clone())
            .collect()
    }
}
