//! The local listener's accept loop. `axum::serve` cannot bound how long a client takes to send
//! its headers, so slow or silent clients could hold every file descriptor; here each connection
//! is served by hyper with a header read timeout, a body deadline, and caps on connections in
//! total (the longest-idle connection gives way to a new one) and per client address, and a
//! full descriptor table pauses accepting instead of spinning.

mod gate;
mod service;

use std::{future::Future, io, net::SocketAddr, time::Duration};

use axum::{Router, extract::connect_info::IntoMakeServiceWithConnectInfo};
use expedite_core::{ClientKey, Config};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, time::Instant};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::{Service, ServiceExt};

use self::{gate::Gate, service::PerConnection};

/// How long accepting pauses when the process has no descriptor to spare.
const EXHAUSTED_PAUSE: Duration = Duration::from_millis(100);
/// How long accepting pauses after any other unexpected error (as `axum::serve` does).
const ERROR_PAUSE: Duration = Duration::from_secs(1);
/// Refused connections are reported at most this often, with their count.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets every
/// connection finish its request in flight and returns once all are closed. Handlers see the
/// peer as `ConnectInfo<SocketAddr>`, as with `into_make_service_with_connect_info`.
pub(crate) fn serve(
    listener: TcpListener,
    router: Router,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> impl Future<Output = io::Result<()>> + Send + 'static {
    let limits = &config.connections;
    // Behind a proxy every connection comes from the proxy: a per-peer cap would throttle it.
    let per_client = (config.rate_limits.client_key == ClientKey::Peer)
        .then_some(limits.max_connections_per_client);
    let gate = Gate::new(limits.max_connections, per_client);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let body_limit = limits.body_read_timeout;
    let make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    accept_loop(listener, make_service, gate, http, body_limit, shutdown)
}

async fn accept_loop(
    listener: TcpListener,
    mut make_service: IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    gate: Gate,
    http: http1::Builder,
    body_limit: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let stop = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut refused = Refusals::default();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if let Some(pause) = pause_after(&error) {
                        tokio::select! {
                            () = &mut shutdown => break,
                            () = tokio::time::sleep(pause) => {}
                        }
                    }
                    continue;
                }
            },
        };
        let Some(admitted) = gate.admit(peer.ip()) else {
            // Closing at once keeps the descriptor free and the listener moving.
            drop(stream);
            refused.count(peer);
            continue;
        };
        let Ok(ready) = ServiceExt::<SocketAddr>::ready(&mut make_service).await;
        let Ok(service) = ready.call(peer).await;
        let service = PerConnection::new(service, body_limit, admitted.activity());
        let service = TowerToHyperService::new(service);
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let stop = stop.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            let served = tokio::select! {
                served = connection.as_mut() => served,
                // Idle by the gate's lights (a request could only just have begun): close.
                () = admitted.evicted() => Ok(()),
                () = stop.cancelled() => {
                    // Finish the request in flight (if any), then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = served {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    stop.cancel();
    connections.close();
    connections.wait().await;
    Ok(())
}

/// How long to wait before accepting again, if at all. Errors about one connection (the client
/// gave up) need no pause; a full descriptor table does, or the loop would spin on it.
fn pause_after(error: &io::Error) -> Option<Duration> {
    // EMFILE (24) and ENFILE (23): the process's or the system's descriptors are used up;
    // ENOBUFS (105) and ENOMEM (12): the kernel is short of memory for sockets.
    const EXHAUSTED: [i32; 4] = [24, 23, 105, 12];
    match error.kind() {
        io::ErrorKind::ConnectionAborted
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionRefused
        | io::ErrorKind::Interrupted => None,
        _ if error
            .raw_os_error()
            .is_some_and(|code| EXHAUSTED.contains(&code)) =>
        {
            tracing::warn!(%error, "out of descriptors; accepting again shortly");
            Some(EXHAUSTED_PAUSE)
        }
        _ => {
            tracing::error!(%error, "accepting a connection failed");
            Some(ERROR_PAUSE)
        }
    }
}

/// Connections refused over a cap, reported at most once per [`REPORT_EVERY`] so an attack
/// cannot flood the log.
#[derive(Default)]
struct Refusals {
    since_report: u64,
    reported: Option<Instant>,
}

impl Refusals {
    fn count(&mut self, peer: SocketAddr) {
        self.since_report += 1;
        if self.reported.is_none_or(|at| at.elapsed() >= REPORT_EVERY) {
            tracing::warn!(
                refused = self.since_report,
                last_peer = %peer,
                "connections refused over the connection limits"
            );
            self.since_report = 0;
            self.reported = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_descriptor_table_pauses_and_a_client_giving_up_does_not() {
        let emfile = io::Error::from_raw_os_error(24);
        assert_eq!(pause_after(&emfile), Some(EXHAUSTED_PAUSE));
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(pause_after(&aborted), None);
        let other = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(pause_after(&other), Some(ERROR_PAUSE));
    }
}
