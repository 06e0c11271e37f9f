//! Sign-in limits per account and address: guessing slows the guesser and, spread over many
//! addresses, the account — never the owner at their usual address — and every 429 says when
//! to come back.

use std::{net::IpAddr, time::Duration};

use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::support::TestApp;

const OWNER: (&str, &str) = ("owner@example.com", "correct horse battery staple");

/// A client whose connections come from `ip` (any 127.0.0.x is this machine).
fn from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(app: &TestApp, client: &reqwest::Client, password: &str) -> Response {
    client
        .post(app.url("/auth/sign-in"))
        .json(&json!({"email": OWNER.0, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The seconds a 429 asks to wait; fails the test without one.
fn retry_after(response: &Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    response
        .headers()
        .get("retry-after")
        .expect("every 429 has Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .expect("whole seconds")
}

#[tokio::test]
async fn ten_wrong_passwords_from_one_address_do_not_stop_the_owner_elsewhere() {
    let app = TestApp::spawn().await;
    app.add_user(OWNER.0, OWNER.1, &[]).await;
    let guesser = from("127.0.0.2");
    for n in 0..10 {
        let response = sign_in(&app, &guesser, &format!("guess {n}")).await;
        assert_eq!(response.status(), 401, "guess {n}");
    }
    let refused = sign_in(&app, &guesser, "guess 10").await;
    let wait = retry_after(&refused);
    assert!((1..=60).contains(&wait), "{wait}");

    let owner = sign_in(&app, &from("127.0.0.3"), OWNER.1).await;
    assert_eq!(owner.status(), 200, "the owner elsewhere is not locked out");
}

#[tokio::test]
async fn guessing_from_many_addresses_slows_the_account_but_not_the_owner_at_home() {
    let app = TestApp::spawn_with(|config| {
        config.rate_limits.sign_in_account_failures = 5;
        config.rate_limits.sign_in_max_delay = Duration::from_secs(30);
    })
    .await;
    app.add_user(OWNER.0, OWNER.1, &[]).await;
    let home = from("127.0.0.3");
    assert_eq!(sign_in(&app, &home, OWNER.1).await.status(), 200);

    let mut statuses = Vec::new();
    let mut waits = Vec::new();
    for n in 1..=8 {
        let response = sign_in(&app, &from(&format!("127.0.1.{n}")), "guess").await;
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            waits.push(retry_after(&response));
        }
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    assert!(
        waits.iter().all(|wait| (1..=30).contains(wait)),
        "{waits:?}"
    );

    assert_eq!(
        sign_in(&app, &home, OWNER.1).await.status(),
        200,
        "an address the owner signed in from is not slowed"
    );
    let travelling = from("127.0.0.4");
    let slowed = sign_in(&app, &travelling, OWNER.1).await;
    let wait = retry_after(&slowed);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(
        sign_in(&app, &travelling, OWNER.1).await.status(),
        200,
        "a new address waits {wait} s, not longer"
    );
}

#[tokio::test]
async fn successful_sign_ins_are_not_counted() {
    let app = TestApp::spawn_with(|config| config.rate_limits.sign_in_per_minute = 3).await;
    app.add_user(OWNER.0, OWNER.1, &[]).await;
    // The edge's per-address bucket counts every attempt; the account's limits only failures.
    let first = from("127.0.0.5");
    let second = from("127.0.0.6");
    for client in [&first, &first, &second, &second] {
        assert_eq!(sign_in(&app, client, OWNER.1).await.status(), 200);
    }
    for client in [&first, &second] {
        assert_eq!(sign_in(&app, client, "typo").await.status(), 401);
    }
}

#[tokio::test]
async fn every_429_from_either_sign_in_route_has_retry_after() {
    let app = TestApp::spawn_with(|config| {
        config.rate_limits.sign_in_per_minute = 2;
        config.rate_limits.sign_in_account_failures = 2;
    })
    .await;
    app.add_user(OWNER.0, OWNER.1, &[]).await;
    // The edge's per-address bucket.
    let guesser = from("127.0.0.7");
    for _ in 0..2 {
        assert_eq!(sign_in(&app, &guesser, "guess").await.status(), 401);
    }
    retry_after(&sign_in(&app, &guesser, "guess").await);
    // The account's limit, through the REST route and through the page's server function.
    retry_after(&sign_in(&app, &from("127.0.0.8"), "guess").await);
    let server_function = from("127.0.0.9")
        .post(app.url("/sfn/sign_in"))
        .form(&[("email", OWNER.0), ("password", "guess")])
        .send()
        .await
        .unwrap();
    retry_after(&server_function);
}
