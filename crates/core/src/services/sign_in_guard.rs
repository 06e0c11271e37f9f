//! Sign-in limits that slow password guessing without locking the account's owner out.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long the per-client limit remembers a failure.
const CLIENT_WINDOW: Duration = Duration::from_secs(60);
/// How long the account-wide count remembers a failure.
const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long an address that signed in stays known to the account.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
/// Known addresses kept per account (the oldest is forgotten first).
const KNOWN_PER_ACCOUNT: usize = 8;
/// The first wait once an account is slowed; it doubles with each further failure.
const FIRST_DELAY: Duration = Duration::from_secs(1);

/// The sign-in policy of one process (each Lambda instance keeps its own):
///
/// - **Per account and client address**: at most `per_minute` failed attempts in any minute.
///   Someone guessing from one address slows only that address; the owner elsewhere signs in.
/// - **Per account, all addresses**: once `account_failures` attempts have failed within 15
///   minutes, each further attempt must wait after the last failure: 1 s, doubling with every
///   further failure, at most `max_delay`. Refused attempts are not counted, so once the
///   guessing stops the account is free again within `max_delay`, and a guesser spread over
///   many addresses gets about one try per `max_delay`.
/// - **Known addresses**: an address that signed in to the account within 30 days skips the
///   account-wide wait (it keeps its own per-minute limit), so the owner at their usual
///   address is not slowed at all by someone guessing elsewhere.
///
/// Only failures count: an attempt is counted when it starts (so parallel guesses cannot slip
/// past the limit while the password is checked) and forgotten when it turns out not to be one.
pub(crate) struct SignInGuard {
    per_minute: usize,
    account_failures: usize,
    max_delay: Duration,
    accounts: Mutex<Accounts>,
}

#[derive(Default)]
struct Accounts {
    by_name: HashMap<String, Account>,
    /// Size at which stale accounts are swept next (keeps the map bounded by recent guessing).
    sweep_at: usize,
}

#[derive(Default)]
struct Account {
    /// Failures from every address, oldest first, within [`ACCOUNT_WINDOW`].
    failures: VecDeque<Instant>,
    /// Failures per address within [`CLIENT_WINDOW`].
    by_client: HashMap<String, VecDeque<Instant>>,
    /// Addresses that signed in, with when they last did.
    known: HashMap<String, Instant>,
}

/// An attempt under way, counted as a failure until it is [`SignInGuard::settle`]d otherwise.
#[derive(Debug)]
pub(crate) struct Attempt {
    account: String,
    client: String,
    at: Instant,
}

/// How an attempt ended, as far as the limits care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The password was right: the address becomes known and its failures are forgiven.
    Succeeded,
    /// A wrong password: it stays counted.
    Failed,
    /// Nothing was learnt about the password (the provider was down): not counted.
    Undecided,
}

impl SignInGuard {
    pub(crate) fn new(per_minute: u32, account_failures: u32, max_delay: Duration) -> Self {
        Self {
            per_minute: per_minute.max(1) as usize,
            account_failures: account_failures.max(1) as usize,
            max_delay: max_delay.max(FIRST_DELAY),
            accounts: Mutex::new(Accounts {
                sweep_at: 1024,
                ..Accounts::default()
            }),
        }
    }

    /// Lets an attempt on `account` from `client` go ahead, or says how long to wait.
    pub(crate) fn begin(&self, account: &str, client: &str) -> Result<Attempt, Duration> {
        self.begin_at(account, client, Instant::now())
    }

    fn begin_at(&self, account: &str, client: &str, now: Instant) -> Result<Attempt, Duration> {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        accounts.sweep(now);
        let entry = accounts.by_name.entry(account.to_owned()).or_default();
        entry.forget_before(now);
        let mine = entry.by_client.entry(client.to_owned()).or_default();
        if mine.len() >= self.per_minute
            && let Some(oldest) = mine.front()
        {
            return Err((*oldest + CLIENT_WINDOW).saturating_duration_since(now));
        }
        let known = entry.known.contains_key(client);
        if !known && entry.failures.len() >= self.account_failures {
            let further = entry.failures.len() - self.account_failures;
            let delay = FIRST_DELAY
                .saturating_mul(1 << further.min(20))
                .min(self.max_delay);
            let last = entry.failures.back().copied().unwrap_or(now);
            let wait = (last + delay).saturating_duration_since(now);
            if !wait.is_zero() {
                return Err(wait);
            }
        }
        mine.push_back(now);
        entry.failures.push_back(now);
        // Enough to reach `max_delay`; older failures add nothing but memory.
        if entry.failures.len() > self.account_failures + 24 {
            entry.failures.pop_front();
        }
        Ok(Attempt {
            account: account.to_owned(),
            client: client.to_owned(),
            at: now,
        })
    }

    /// Records how an attempt ended.
    pub(crate) fn settle(&self, attempt: Attempt, outcome: Outcome) {
        if outcome == Outcome::Failed {
            return;
        }
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = accounts.by_name.get_mut(&attempt.account) else {
            return;
        };
        remove_one(&mut entry.failures, attempt.at);
        if let Some(mine) = entry.by_client.get_mut(&attempt.client) {
            if outcome == Outcome::Succeeded {
                mine.clear();
            } else {
                remove_one(mine, attempt.at);
            }
        }
        if outcome == Outcome::Succeeded {
            if entry.known.len() >= KNOWN_PER_ACCOUNT
                && !entry.known.contains_key(&attempt.client)
                && let Some(oldest) = entry
                    .known
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(client, _)| client.clone())
            {
                entry.known.remove(&oldest);
            }
            entry.known.insert(attempt.client, attempt.at);
        }
    }
}

impl Accounts {
    /// Drops accounts with nothing left to remember, once the map has doubled since last time.
    fn sweep(&mut self, now: Instant) {
        if self.by_name.len() < self.sweep_at {
            return;
        }
        self.by_name.retain(|_, account| {
            account.forget_before(now);
            !account.failures.is_empty() || !account.known.is_empty()
        });
        self.sweep_at = (self.by_name.len() * 2).max(1024);
    }
}

impl Account {
    fn forget_before(&mut self, now: Instant) {
        let expired = |at: &Instant, window| now.saturating_duration_since(*at) >= window;
        while self
            .failures
            .front()
            .is_some_and(|at| expired(at, ACCOUNT_WINDOW))
        {
            self.failures.pop_front();
        }
        self.by_client.retain(|_, failures| {
            while failures
                .front()
                .is_some_and(|at| expired(at, CLIENT_WINDOW))
            {
                failures.pop_front();
            }
            !failures.is_empty()
        });
        self.known.retain(|_, at| !expired(at, KNOWN_FOR));
    }
}

fn remove_one(failures: &mut VecDeque<Instant>, at: Instant) {
    if let Some(index) = failures.iter().rposition(|t| *t == at) {
        failures.remove(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn fail(guard: &SignInGuard, client: &str, now: Instant) -> Result<(), Duration> {
        let attempt = guard.begin_at("owner@example.com", client, now)?;
        guard.settle(attempt, Outcome::Failed);
        Ok(())
    }

    #[test]
    fn one_address_guessing_does_not_stop_another() {
        let guard = SignInGuard::new(10, 20, 60 * SECOND);
        let start = Instant::now();
        for n in 0..10 {
            fail(&guard, "127.0.0.2", start + n * SECOND / 10).unwrap();
        }
        let wait = fail(&guard, "127.0.0.2", start + SECOND).unwrap_err();
        assert_eq!(
            wait,
            59 * SECOND,
            "until the oldest failure is a minute old"
        );
        assert!(
            guard
                .begin_at("owner@example.com", "127.0.0.3", start + SECOND)
                .is_ok()
        );
        assert!(fail(&guard, "127.0.0.2", start + 60 * SECOND).is_ok());
    }

    #[test]
    fn guessing_from_many_addresses_slows_the_account_with_a_bounded_doubling_wait() {
        let guard = SignInGuard::new(10, 5, 4 * SECOND);
        let now = Instant::now();
        for n in 0..5 {
            fail(&guard, &format!("10.0.0.{n}"), now).unwrap();
        }
        assert_eq!(fail(&guard, "10.0.1.1", now), Err(SECOND));
        fail(&guard, "10.0.1.1", now + SECOND).unwrap();
        let now = now + SECOND;
        assert_eq!(fail(&guard, "10.0.1.2", now), Err(2 * SECOND));
        fail(&guard, "10.0.1.2", now + 2 * SECOND).unwrap();
        let now = now + 2 * SECOND;
        assert_eq!(fail(&guard, "10.0.1.3", now), Err(4 * SECOND));
        fail(&guard, "10.0.1.3", now + 4 * SECOND).unwrap();
        let now = now + 4 * SECOND;
        assert_eq!(fail(&guard, "10.0.1.4", now), Err(4 * SECOND), "capped");
        assert!(fail(&guard, "10.0.1.4", now + ACCOUNT_WINDOW).is_ok());
    }

    #[test]
    fn a_known_address_skips_the_account_wait_and_successes_are_not_counted() {
        let guard = SignInGuard::new(3, 2, 60 * SECOND);
        let now = Instant::now();
        for _ in 0..5 {
            let attempt = guard.begin_at("owner@example.com", "home", now).unwrap();
            guard.settle(attempt, Outcome::Succeeded);
        }
        for client in ["a", "b"] {
            fail(&guard, client, now).unwrap();
        }
        assert!(fail(&guard, "c", now).is_err(), "the account is slowed");
        let attempt = guard.begin_at("owner@example.com", "home", now).unwrap();
        guard.settle(attempt, Outcome::Succeeded);
        let undecided = guard.begin_at("other@example.com", "x", now).unwrap();
        guard.settle(undecided, Outcome::Undecided);
        assert!(
            guard.accounts.lock().unwrap().by_name["other@example.com"]
                .failures
                .is_empty()
        );
    }
}
