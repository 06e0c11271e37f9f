//! Slow and silent clients: the real binary, held to systemd's 1024 descriptors, stays up under
//! 1100 half-open connections and closes them after the header timeout; a trickling body is cut.

use std::{
    net::SocketAddr,
    process::Stdio,
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpSocket, TcpStream},
    process::{Child, Command},
    task::JoinSet,
};

use crate::support::TestApp;

const HEADER_TIMEOUT_SECS: u64 = 2;

/// The `server` binary under `prlimit --nofile=1024:1024`, on a free port.
struct Process {
    addr: SocketAddr,
    child: Child,
    _data: tempfile::TempDir,
}

impl Process {
    async fn start() -> Self {
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new("prlimit")
            .arg("--nofile=1024:1024")
            .arg(env!("CARGO_BIN_EXE_server"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            // No `.env` of the repository is read from here.
            .current_dir(data.path())
            .env("EXPEDITE_ADDR", "127.0.0.1:0")
            .env("EXPEDITE_DATA_DIR", data.path())
            .env("EXPEDITE_DEMO_SALESFORCE", "false")
            .env("EXPEDITE_IN_PROCESS_WORKER", "false")
            .env(
                "EXPEDITE_HEADER_READ_TIMEOUT_SECS",
                HEADER_TIMEOUT_SECS.to_string(),
            )
            .env("EXPEDITE_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("prlimit (util-linux) runs the server binary");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let line: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if line["message"] == "listening" {
                    return line["address"].as_str().unwrap().parse().unwrap();
                }
            }
            panic!("the server exited before listening");
        })
        .await
        .expect("the server listens within a minute");
        // Keep reading, or a full pipe would block the server's logging.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            addr,
            child,
            _data: data,
        }
    }

    /// Descriptors the server holds open now.
    fn open_descriptors(&self) -> usize {
        let pid = self.child.id().expect("running");
        std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
    }
}

/// `/healthz` from a fresh client on 127.0.0.1: the status and how long it took.
async fn probe(addr: SocketAddr) -> (u16, Duration) {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    (
        response.map_or(0, |r| r.status().as_u16()),
        started.elapsed(),
    )
}

/// A connection from `source` that sends `first` and then nothing.
async fn half_open(source: [u8; 4], server: SocketAddr, first: &'static [u8]) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    if !first.is_empty() {
        // The server may already have closed it (over a cap); that is fine too.
        let _ = stream.write_all(first).await;
    }
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_do_not_take_healthz_down_and_are_closed() {
    raise_own_descriptor_limit();
    let server = Process::start().await;
    assert_eq!(probe(server.addr).await.0, 200);

    // 1100 connections from 21 addresses: one over its cap of 64, the rest filling the 768
    // places. Silent ones, and ones stuck in the middle of their headers.
    let opened = Instant::now();
    let mut attackers = Vec::new();
    for n in 0..1100_u32 {
        let source = if n < 100 { 2 } else { 3 + (n - 100) / 50 };
        let first: &[u8] = if n % 2 == 0 {
            b""
        } else {
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
        };
        attackers.push(half_open([127, 0, 0, source as u8], server.addr, first).await);
    }
    let all_open = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let descriptors = server.open_descriptors();

    let mut latencies = Vec::new();
    for _ in 0..5 {
        let (status, took) = probe(server.addr).await;
        assert_eq!(status, 200, "/healthz answers under attack");
        latencies.push(took);
    }
    eprintln!("under 1100 half-open connections: server fds {descriptors}, /healthz {latencies:?}");
    assert!(descriptors < 1000, "{descriptors} descriptors open");
    assert!(latencies.iter().all(|took| *took < Duration::from_secs(2)));

    // All of them closed by the server, the last ones after the header timeout.
    let deadline = opened + Duration::from_secs(HEADER_TIMEOUT_SECS + 3);
    let mut reads = JoinSet::new();
    for mut stream in attackers {
        reads.spawn(async move {
            let mut buf = [0; 256];
            let left = deadline.saturating_duration_since(Instant::now());
            // EOF or a reset: closed. Anything else (a response, or still open) is not.
            match tokio::time::timeout(left, stream.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) => Some(Instant::now()),
                Ok(Ok(_)) | Err(_) => None,
            }
        });
    }
    let (mut still_open, mut last_closed) = (0, all_open);
    while let Some(closed) = reads.join_next().await {
        match closed.unwrap() {
            Some(at) => last_closed = last_closed.max(at),
            None => still_open += 1,
        }
    }
    eprintln!(
        "all closed by the server {:?} after the last was opened",
        last_closed - all_open
    );
    assert_eq!(still_open, 0, "half-open connections left open");
    assert_eq!(probe(server.addr).await.0, 200);
}

/// This process holds 1100 client sockets: lift its soft limit to the hard one if need be.
fn raise_own_descriptor_limit() {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft: u64 = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|soft| soft.parse().ok())
        .unwrap_or(0);
    if soft < 2048 {
        let status = std::process::Command::new("prlimit")
            .args(["--pid", &std::process::id().to_string(), "--nofile=4096:"])
            .status()
            .expect("prlimit runs");
        assert!(status.success(), "raising this test's descriptor limit");
    }
}

#[tokio::test]
async fn a_trickling_body_is_cut_with_408() {
    let app = TestApp::spawn_with(|config| {
        config.connections.body_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 64\r\n\r\n{",
        )
        .await
        .unwrap();
    let started = Instant::now();
    // One byte every 100 ms, until the server answers.
    let mut response = Vec::new();
    let mut buf = [0; 1024];
    let exchange = async {
        loop {
            tokio::select! {
                read = stream.read(&mut buf) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => response.extend_from_slice(&buf[..n]),
                },
                () = tokio::time::sleep(Duration::from_millis(100)), if response.is_empty() => {
                    let _ = stream.write_all(b" ").await;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .expect("the server answers and closes the connection");
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("HTTP/1.1 408"),
        "after {:?}: {response}",
        started.elapsed()
    );
    assert!(
        response.contains(r#""code":"request_timeout""#),
        "{response}"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}
