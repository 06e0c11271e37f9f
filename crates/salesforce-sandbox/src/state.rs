//! Everything a running sandbox shares between its handlers and its control handle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use expedite_domain::Timestamp;

use crate::config::SandboxConfig;
use crate::query::Cursors;
use crate::store::Store;

/// The sandbox's notion of now: the wall clock, shifted or frozen by the test controls.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    frozen: Mutex<Option<Timestamp>>,
    offset_ms: AtomicI64,
}

impl Clock {
    pub(crate) fn now(&self) -> Timestamp {
        if let Some(at) = *lock(&self.frozen) {
            return at;
        }
        wall_clock().plus_millis(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Freezes the clock at `at`; it moves again only through [`Clock::advance`].
    pub(crate) fn set_now(&self, at: Timestamp) {
        *lock(&self.frozen) = Some(at);
    }

    pub(crate) fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let mut frozen = lock(&self.frozen);
        match frozen.as_mut() {
            Some(at) => *at = at.plus_millis(millis),
            None => {
                self.offset_ms.fetch_add(millis, Ordering::Relaxed);
            }
        }
    }

    /// Now, to the whole second, as Salesforce stamps records.
    pub(crate) fn record_stamp(&self) -> Timestamp {
        let millis = self.now().as_millis();
        Timestamp::from_millis(millis - millis.rem_euclid(1000))
    }
}

/// The real time, independent of the sandbox clock (JWT expiry is checked against it).
pub(crate) fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Locks a mutex, carrying on if another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The next `remaining` requests whose path ends with `path_suffix` fail with this error.
#[derive(Debug)]
pub(crate) struct PathFailure {
    pub(crate) path_suffix: String,
    pub(crate) remaining: u32,
    pub(crate) status: StatusCode,
    pub(crate) code: String,
}

/// The shared state behind every handler.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    /// `http://127.0.0.1:<port>` (or `https://…`), also the OAuth `instance_url`.
    pub(crate) base_url: String,
    pub(crate) clock: Clock,
    store: RwLock<Store>,
    /// Access token → expiry instant on the sandbox clock.
    pub(crate) sessions: Mutex<HashMap<String, Timestamp>>,
    pub(crate) cursors: Mutex<Cursors>,
    pub(crate) api_used: AtomicU32,
    pub(crate) api_limit: AtomicU32,
    /// Requests still to fail, and the status they fail with.
    pub(crate) failures: Mutex<(u32, StatusCode)>,
    /// Failures for requests to one path only, checked after `failures`.
    pub(crate) path_failures: Mutex<Vec<PathFailure>>,
    pub(crate) requests: AtomicU64,
}

impl Shared {
    pub(crate) fn new(config: SandboxConfig, base_url: String) -> Self {
        let api_limit = AtomicU32::new(config.daily_api_limit);
        Self {
            config,
            base_url,
            clock: Clock::default(),
            store: RwLock::default(),
            sessions: Mutex::default(),
            cursors: Mutex::default(),
            api_used: AtomicU32::new(0),
            api_limit,
            failures: Mutex::new((0, StatusCode::SERVICE_UNAVAILABLE)),
            path_failures: Mutex::default(),
            requests: AtomicU64::new(0),
        }
    }

    pub(crate) fn store(&self) -> RwLockReadGuard<'_, Store> {
        self.store
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn store_mut(&self) -> RwLockWriteGuard<'_, Store> {
        self.store
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `api-usage=N/M`, the value of `Sforce-Limit-Info`.
    pub(crate) fn limit_info(&self) -> String {
        format!(
            "api-usage={}/{}",
            self.api_used.load(Ordering::Relaxed),
            self.api_limit.load(Ordering::Relaxed)
        )
    }
}
