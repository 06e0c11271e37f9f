//! The flood drill (a benchmark-like run, so `#[ignore]`d; `scripts/drills` runs it in release):
//! one client address (127.0.0.2) floods the server from 32 connections while another
//! (127.0.0.3) keeps its own pace. The flood gets 429s with `Retry-After`; the other client is
//! never refused and its p99 stays within twice its baseline, measured in the same run.

use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use crate::support::TestApp;

const PASSWORD: &str = "a flood drill password";
const PACED: usize = 250;
/// The limits of the drill: 100 requests a second per address, bursts of 100.
const PER_MINUTE: u32 = 6000;
const BURST: u32 = 100;

fn from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

/// `PACED` requests, one every 20 ms (half the limit), each timed; the sorted latencies.
async fn paced(client: &reqwest::Client, url: &str, bearer: &str) -> Vec<Duration> {
    let mut took = Vec::with_capacity(PACED);
    for _ in 0..PACED {
        let started = Instant::now();
        let response = client
            .get(url)
            .header("authorization", bearer)
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
}

fn p99(sorted: &[Duration]) -> Duration {
    sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timed drill: scripts/drills runs it in release"]
async fn a_flooding_address_is_limited_and_others_keep_their_pace() {
    let app = TestApp::spawn_with(|config| {
        config.rate_limits.enabled = true;
        config.rate_limits.per_minute = PER_MINUTE;
        config.rate_limits.burst = BURST;
    })
    .await;
    app.add_user("paced@example.com", PASSWORD, &[]).await;
    let tokens = app.sign_in("paced@example.com", PASSWORD).await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let url = app.url("/api/me");
    let paced_client = from("127.0.0.3");

    let baseline = paced(&paced_client, &url, &bearer).await;

    let stop = Arc::new(AtomicBool::new(false));
    let (limited, passed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let flood_client = from("127.0.0.2");
    let flooders: Vec<_> = (0..32)
        .map(|_| {
            let (client, url, stop) = (flood_client.clone(), app.url("/api/nope"), stop.clone());
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
    let during = paced(&paced_client, &url, &bearer).await;
    stop.store(true, Ordering::Relaxed);
    let flood_secs = flood_started.elapsed().as_secs_f64();
    for flooder in flooders {
        flooder.await.unwrap();
    }

    let (limited, passed) = (
        limited.load(Ordering::Relaxed),
        passed.load(Ordering::Relaxed),
    );
    println!(
        "flood drill: flood {} requests, {limited} answered 429, {passed} let through; paced \
         client p50 {:?} → {:?}, p99 {:?} → {:?} (baseline → during the flood)",
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
