//! Following a query from the browser: the public REST API (`GET /api/ai/query/{id}`), polled
//! with back-off while the query is queued or running, exactly as any API client would.
//!
//! The request is same-origin, so the browser sends the session cookie with it.

use std::time::Duration;

use expedite_domain::{AiQuery, ErrorBody};
use gloo_net::http::Request;
use leptos::prelude::*;

/// The first wait after the page shows a query that is not finished.
const FIRST_DELAY: Duration = Duration::from_millis(300);
/// The longest wait between two polls.
const MAX_DELAY: Duration = Duration::from_secs(2);
/// Network failures in a row after which following stops.
const MAX_FAILURES: u32 = 5;

/// Why one poll did not return the query.
enum PollError {
    /// The server answered with an error: following stops.
    Refused(String),
    /// The server could not be reached or answered nonsense: try again later.
    Unreachable(String),
}

/// Polls until the query is COMPLETED or FAILED, writing each new state into `query` and
/// problems into `problem`. Stops by itself when the signals are disposed (the page left).
pub(crate) fn follow(query: RwSignal<AiQuery>, problem: RwSignal<Option<String>>) {
    let Some(id) = query.try_with_untracked(|query| query.id.to_string()) else {
        return;
    };
    leptos::task::spawn_local(async move {
        let mut delay = FIRST_DELAY;
        let mut failures = 0;
        loop {
            sleep(delay).await;
            if query.try_with_untracked(|_| ()).is_none() {
                return;
            }
            match poll(&id).await {
                Ok(latest) => {
                    failures = 0;
                    problem.try_set(None);
                    let done = latest.status.is_terminal();
                    if query.try_with_untracked(|current| *current != latest) == Some(true) {
                        query.try_set(latest);
                    }
                    if done {
                        return;
                    }
                }
                Err(PollError::Refused(message)) => {
                    problem.try_set(Some(message));
                    return;
                }
                Err(PollError::Unreachable(message)) => {
                    failures += 1;
                    problem.try_set(Some(message));
                    if failures >= MAX_FAILURES {
                        return;
                    }
                }
            }
            delay = next_delay(delay);
        }
    });
}

/// Waits 1.6 times longer each time, up to [`MAX_DELAY`].
fn next_delay(delay: Duration) -> Duration {
    (delay * 8 / 5).min(MAX_DELAY)
}

/// One `GET /api/ai/query/{id}`.
async fn poll(id: &str) -> Result<AiQuery, PollError> {
    let response = Request::get(&format!("/api/ai/query/{id}"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(unreachable)?;
    if response.ok() {
        return response.json::<AiQuery>().await.map_err(unreachable);
    }
    let message = match response.status() {
        401 => "Your session has ended. Sign in again to follow this question.".to_owned(),
        status if status >= 500 => return Err(unreachable(())),
        _ => response
            .json::<ErrorBody>()
            .await
            .map(|body| body.error.message)
            .unwrap_or_else(|_| "This question can no longer be followed.".to_owned()),
    };
    Err(PollError::Refused(message))
}

/// A poll that may succeed later; the cause does not help the reader.
fn unreachable<E>(_cause: E) -> PollError {
    PollError::Unreachable(
        "The server could not be reached; the status shown may be out of date.".to_owned(),
    )
}

/// Resolves after `duration`, on the browser's timer.
async fn sleep(duration: Duration) {
    let (done, wait) = futures::channel::oneshot::channel();
    set_timeout(
        move || {
            // The receiver is gone only if the page was left; nothing to wake then.
            let _ = done.send(());
        },
        duration,
    );
    // A dropped sender is as good as a fired timer.
    let _ = wait.await;
}
