//! The connection caps: so many open connections in all, and so many per client address.
//!
//! When all places are taken, a new connection takes the place of the connection that has been
//! idle longest (no request in flight: silent, half-sent headers, or a keep-alive pause), which
//! is closed. Clients that hold connections open without asking for anything thus cannot keep
//! a fresh client (or a health probe) out; only requests actually being served hold a place.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Instant,
};

use tokio_util::sync::CancellationToken;

/// Admits connections while there is room in total and for their address.
pub(super) struct Gate {
    max: usize,
    per_client: Option<usize>,
    open: Arc<Mutex<Open>>,
    epoch: Instant,
}

#[derive(Default)]
struct Open {
    connections: HashMap<u64, (IpAddr, Arc<Activity>)>,
    by_client: HashMap<IpAddr, usize>,
    next_id: u64,
}

/// What a connection is doing, shared by its service (which marks requests) and the gate.
pub(super) struct Activity {
    in_flight: AtomicUsize,
    /// When it last fell idle, in nanoseconds since the gate's epoch.
    idle_since: AtomicU64,
    epoch: Instant,
    /// Cancelled when the gate gave this connection's place to another.
    evicted: CancellationToken,
}

/// A connection's place; given back when it is dropped, with the connection.
pub(super) struct Admitted {
    id: u64,
    activity: Arc<Activity>,
    open: Arc<Mutex<Open>>,
}

/// A request in flight on a connection; the connection cannot be evicted while one lives.
pub(super) struct Busy(Arc<Activity>);

impl Gate {
    /// `per_client: None` leaves addresses uncapped (behind a proxy, every peer is the proxy).
    pub(super) fn new(max: u32, per_client: Option<u32>) -> Self {
        Self {
            max: max.max(1) as usize,
            per_client: per_client.map(|cap| cap.max(1) as usize),
            open: Arc::default(),
            epoch: Instant::now(),
        }
    }

    /// A place for a connection from `ip`, evicting the longest-idle connection when all are
    /// taken; `None` when the address has its fill or every connection is busy. Never waits, so
    /// the accept loop keeps draining the backlog.
    pub(super) fn admit(&self, ip: IpAddr) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mine = open.by_client.get(&ip).copied().unwrap_or(0);
        if self.per_client.is_some_and(|cap| mine >= cap) {
            return None;
        }
        if open.connections.len() >= self.max {
            let victim = open
                .connections
                .iter()
                .filter(|(_, (_, activity))| activity.in_flight.load(Ordering::Acquire) == 0)
                .min_by_key(|(_, (_, activity))| activity.idle_since.load(Ordering::Acquire))
                .map(|(id, _)| *id)?;
            // The place changes hands now; the evicted connection closes as soon as its task
            // sees the token, a moment later.
            if let Some((_, activity)) = open.release(victim) {
                activity.evicted.cancel();
            }
        }
        let id = open.next_id;
        open.next_id += 1;
        let activity = Arc::new(Activity {
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(nanos_since(self.epoch)),
            epoch: self.epoch,
            evicted: CancellationToken::new(),
        });
        open.connections.insert(id, (ip, Arc::clone(&activity)));
        *open.by_client.entry(ip).or_default() += 1;
        Some(Admitted {
            id,
            activity,
            open: Arc::clone(&self.open),
        })
    }
}

impl Open {
    fn release(&mut self, id: u64) -> Option<(IpAddr, Arc<Activity>)> {
        let (ip, activity) = self.connections.remove(&id)?;
        if let Some(count) = self.by_client.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                self.by_client.remove(&ip);
            }
        }
        Some((ip, activity))
    }
}

impl Admitted {
    /// What the connection's service reports its requests to.
    pub(super) fn activity(&self) -> Arc<Activity> {
        Arc::clone(&self.activity)
    }

    /// Resolves when the gate gave this connection's place to a newer one.
    pub(super) async fn evicted(&self) {
        self.activity.evicted.cancelled().await;
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        // Already released if evicted.
        open.release(self.id);
    }
}

impl Activity {
    /// Marks a request in flight until the returned guard is dropped.
    pub(super) fn busy(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(Arc::clone(self))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .idle_since
            .store(nanos_since(activity.epoch), Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

fn nanos_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_per_address_and_places_come_back() {
        let gate = Gate::new(3, Some(2));
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let first = gate.admit(a).expect("room");
        let _second = gate.admit(a).expect("room");
        assert!(gate.admit(a).is_none(), "two per address");
        drop(first);
        assert!(
            gate.admit(a).is_some(),
            "a closed connection frees its place"
        );
        assert!(Gate::new(1, None).admit(a).is_some());
    }

    #[test]
    fn when_full_the_longest_idle_connection_gives_way_and_busy_ones_never_do() {
        let gate = Gate::new(2, None);
        let ip: IpAddr = "127.0.0.2".parse().unwrap();
        let oldest = gate.admit(ip).unwrap();
        let serving = gate.admit(ip).unwrap();
        let _request = serving.activity().busy();
        let newcomer = gate.admit(ip).expect("the idle connection gives way");
        assert!(oldest.activity.evicted.is_cancelled());
        assert!(!serving.activity.evicted.is_cancelled());
        drop(oldest);
        let _busy = newcomer.activity().busy();
        assert!(
            gate.admit(ip).is_none(),
            "every connection is serving a request"
        );
    }
}
