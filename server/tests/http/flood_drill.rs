//! The flood drill (timed, so `#[ignore]`d; `scripts/drills` runs it in release): the server
//! binary in its own process; one client address (127.0.0.2) floods it from 32 connections while
//! another (127.0.0.3, on its own thread and runtime) keeps its pace. The flood gets 429s with
//! `Retry-After`; the paced client is never refused and its p99 stays within twice its
//! baseline, both measured in this run.

use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::process::Command;

use crate::spawned::{access_token, add_account, free_port, server_command, wait_ready};

const EMAIL: &str = "paced@example.com";
const PASSWORD: &str = "a flood drill password";
const PACED: usize = 250;
/// The limits of the drill: 100 requests a second per address, bursts of 100.
const PER_MINUTE: u32 = 6000;
const BURST: u32 = 100;

fn server(data: &std::path::Path, port: u16) -> Command {
    let mut command = server_command(data, port);
    command
        .env("EXPEDITE_RATE_LIMIT_PER_MINUTE", PER_MINUTE.to_string())
        .env("EXPEDITE_RATE_LIMIT_BURST", BURST.to_string());
    command
}

fn from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// `PACED` requests, one every 20 ms (half the limit), each timed, on a thread of its own so
/// the flood's tasks never delay it; the sorted latencies.
fn paced(url: String, bearer: String) -> Vec<Duration> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let client = from("127.0.0.3");
            let mut took = Vec::with_capacity(PACED);
            for _ in 0..PACED {
                let started = Instant::now();
                let response = client
                    .get(&url)
                    .header("authorization", &bearer)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "the paced client is never refused");
                response.bytes().await.unwrap();
                took.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            took.sort();
            took
        })
    })
    .join()
    .expect("the paced client finished")
}

fn p99(sorted: &[Duration]) -> Duration {
    sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timed drill: scripts/drills runs it in release"]
async fn a_flooding_address_is_limited_and_others_keep_their_pace() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    add_account(server(data.path(), port), EMAIL, PASSWORD).await;
    let _server = server(data.path(), port).spawn().unwrap();
    let setup = from("127.0.0.4");
    wait_ready(&setup, &base).await;
    let bearer = format!(
        "Bearer {}",
        access_token(&setup, &base, EMAIL, PASSWORD).await
    );
    let url = format!("{base}/api/me");

    let baseline = tokio::task::block_in_place(|| paced(url.clone(), bearer.clone()));

    let stop = Arc::new(AtomicBool::new(false));
    let (limited, passed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let flood_client = from("127.0.0.2");
    let flooders: Vec<_> = (0..32)
        .map(|_| {
            let (client, url, stop) = (
                flood_client.clone(),
                format!("{base}/api/nope"),
                stop.clone(),
            );
            let (limited, passed) = (limited.clone(), passed.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(response) = client.get(&url).send().await else {
                        continue;
                    };
                    if response.status() == 429 {
                        assert!(response.headers().contains_key("retry-after"));
                        limited.fetch_add(1, Ordering::Relaxed);
                    } else {
                        passed.fetch_add(1, Ordering::Relaxed);
                    }
                    let _ = response.bytes().await;
                }
            })
        })
        .collect();
    let flood_started = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = tokio::task::block_in_place(|| paced(url.clone(), bearer.clone()));
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        flooder.await.unwrap();
    }
    let flood_secs = flood_started.elapsed().as_secs_f64();

    let (limited, passed) = (
        limited.load(Ordering::Relaxed),
        passed.load(Ordering::Relaxed),
    );
    println!(
        "flood drill: flood {} requests in {flood_secs:.1} s, {limited} answered 429, {passed} let \
         through; paced client p50 {:?} → {:?}, p99 {:?} → {:?} (baseline → during the flood)",
        limited + passed,
        baseline[PACED / 2],
        during[PACED / 2],
        p99(&baseline),
        p99(&during),
    );
    assert!(limited > passed, "the flood is mostly refused");
    let allowance = f64::from(BURST) + f64::from(PER_MINUTE) / 60.0 * (flood_secs + 1.0);
    assert!(
        passed as f64 <= allowance,
        "{passed} got through; the limit allows {allowance:.0} in {flood_secs:.1} s"
    );
    assert!(
        p99(&during) <= p99(&baseline) * 2,
        "the paced client's p99 went from {:?} to {:?}",
        p99(&baseline),
        p99(&during)
    );
}
