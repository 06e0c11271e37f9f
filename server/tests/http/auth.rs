//! Sign-in, sessions, token checks at the HTTP edge, and CSRF.

use expedite_domain::{ErrorBody, ErrorCode};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::support::TestApp;

const PASSWORD: &str = "correct horse battery";

async fn app_with_alice() -> TestApp {
    let app = TestApp::spawn().await;
    app.add_user("alice@example.com", PASSWORD, &[]).await;
    app
}

#[tokio::test]
async fn sign_in_returns_tokens_and_session_cookies() {
    let app = app_with_alice().await;
    let response = app
        .client
        .post(app.url("/auth/sign-in"))
        .json(&json!({"email": "Alice@Example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let cookies: Vec<&str> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("expedite_access=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Lax")));
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("expedite_refresh=") && c.contains("HttpOnly"))
    );
    assert!(
        cookies.iter().all(|c| !c.contains("Secure")),
        "plain HTTP on loopback"
    );
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);

    let me = app
        .client
        .get(app.url("/api/me"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["username"], "alice@example.com");
    assert_eq!(me["role"], "user");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_accounts_get_the_same_answer() {
    let app = app_with_alice().await;
    let mut messages = Vec::new();
    for (email, password) in [
        ("alice@example.com", "wrong password!"),
        ("nobody@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let response = app
            .client
            .post(app.url("/auth/sign-in"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{email}");
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::Unauthorized);
        messages.push(body.error.message);
    }
    assert!(
        messages.windows(2).all(|w| w[0] == w[1]),
        "no account enumeration: {messages:?}"
    );
    let malformed = app
        .client
        .post(app.url("/auth/sign-in"))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
}

#[tokio::test]
async fn requests_without_valid_access_tokens_are_401_never_5xx() {
    let app = app_with_alice().await;
    let tokens = app.sign_in("alice@example.com", PASSWORD).await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let two_segments = access.rsplit_once('.').unwrap().0.to_owned();
    let cases: Vec<Option<String>> = vec![
        None,
        Some(format!("Basic {}", "YWxpY2U6cGFzcw==")),
        Some("Bearer".into()),
        Some("Bearer ".into()),
        Some(format!("bearer{access}")),
        Some(format!("Bearer {two_segments}")),
        Some("Bearer !!!.???.***".into()),
        Some(format!("Bearer {}", "a".repeat(9000))),
        Some(format!("Bearer {id_token}")),
    ];
    for authorization in cases {
        let mut request = app.client.get(app.url("/api/me"));
        if let Some(value) = &authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{authorization:.40?}"
        );
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        if authorization.is_some() {
            assert_eq!(challenge, r#"Bearer error="invalid_token""#);
        }
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::Unauthorized);
    }
}

#[tokio::test]
async fn the_session_cookie_authenticates_and_cross_site_posts_are_refused() {
    let app = app_with_alice().await;
    let tokens = app.sign_in("alice@example.com", PASSWORD).await;
    let cookie = format!(
        "expedite_access={}; expedite_refresh={}",
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap()
    );
    let me = app
        .client
        .get(app.url("/api/me"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    let host = app.addr.to_string();
    for (origin, site) in [
        (Some("http://evil.example"), None),
        (None, Some("cross-site")),
        (None, None),
    ] {
        let mut request = app
            .client
            .post(app.url("/auth/sign-out"))
            .header(header::COOKIE, &cookie);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            403,
            "{origin:?} {site:?}"
        );
    }
    // Behind the AWS front door `Host` is API Gateway's; the CloudFront function passes the
    // host the browser addressed on, and an Origin naming another site still fails against it.
    let behind_front_door = |origin: &str| {
        app.client
            .post(app.url("/sfn/system_status"))
            .header(header::COOKIE, &cookie)
            .header(header::HOST, "abc123.execute-api.us-east-1.amazonaws.com")
            .header("x-expedite-viewer-host", "d111.cloudfront.net")
            .header(header::ORIGIN, origin)
            .send()
    };
    let forged = behind_front_door("https://evil.example").await.unwrap();
    assert_eq!(forged.status(), 403);
    let viewer = behind_front_door("https://d111.cloudfront.net")
        .await
        .unwrap();
    assert_eq!(
        viewer.status(),
        200,
        "the viewer's own origin passes the check"
    );

    let out = app
        .client
        .post(app.url("/auth/sign-out"))
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert!(
        out.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    // The refresh token of that session no longer works.
    let refresh = app
        .client
        .post(app.url("/auth/refresh"))
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), 401);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_replays_end_the_session() {
    let app = app_with_alice().await;
    let first = app.sign_in("alice@example.com", PASSWORD).await;
    let refresh = |token: Value| {
        let request = app
            .client
            .post(app.url("/auth/refresh"))
            .json(&json!({"refresh_token": token}));
        async move { request.send().await.unwrap() }
    };
    let second = refresh(first["refresh_token"].clone()).await;
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        refresh(first["refresh_token"].clone()).await.status(),
        401,
        "a replayed token"
    );
    assert_eq!(
        refresh(second["refresh_token"].clone()).await.status(),
        401,
        "the family is revoked"
    );
    assert_eq!(refresh(json!("made-up")).await.status(), 401);
}

#[tokio::test]
async fn the_jwks_endpoint_lets_others_verify_our_tokens() {
    let app = app_with_alice().await;
    let jwks: Value = app
        .get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    assert!(key.get("d").is_none(), "no private parts");

    let tokens = app.sign_in("alice@example.com", PASSWORD).await;
    let verifier = expedite_identity::Verifier::new(
        expedite_identity::VerifierSettings {
            issuer: app.state.services.config().public_url.clone(),
            client_id: "expedite-web".into(),
            leeway: std::time::Duration::from_secs(5),
            min_refresh_interval: std::time::Duration::from_secs(60),
        },
        std::sync::Arc::new(expedite_identity::HttpJwks::new(
            app.url("/.well-known/jwks.json"),
        )),
    );
    let caller = verifier
        .verify(
            tokens["id_token"].as_str().unwrap(),
            expedite_identity::TokenUse::Id,
        )
        .await
        .unwrap();
    assert_eq!(caller.email.as_deref(), Some("alice@example.com"));
}

#[tokio::test]
async fn the_first_accounts_exist_on_a_fresh_start_only() {
    let app = TestApp::spawn().await;
    let idp = app.state.auth.local.as_ref().unwrap();
    for email in ["admin@expedite.local", "user@expedite.local"] {
        let email = expedite_domain::Email::parse(email).unwrap();
        assert!(idp.user_exists(&email).await.unwrap());
    }

    // A store that already has accounts gets none of its own.
    let fresh = tempfile::tempdir().unwrap();
    let db = expedite_sqlite::Database::open(fresh.path()).await.unwrap();
    let other: std::sync::Arc<dyn expedite_core::store::IdentityStore> =
        std::sync::Arc::new(expedite_sqlite::SqliteStore::new(db));
    let key = expedite_identity::SigningKey::load_or_create(&fresh.path().join("key.pem")).unwrap();
    let settings = expedite_identity::LocalIdpSettings {
        issuer: "http://127.0.0.1".into(),
        client_id: "expedite-web".into(),
        access_ttl: std::time::Duration::from_secs(60),
        refresh_ttl: std::time::Duration::from_secs(60),
        clock: expedite_core::clock::system(),
    };
    let local = expedite_identity::LocalIdp::new(other.clone(), std::sync::Arc::new(key), settings);
    local
        .add_user("ops@example.com", PASSWORD, &[])
        .await
        .unwrap();
    server::first_accounts::create_if_none(&local)
        .await
        .unwrap();
    assert_eq!(
        other.list_users().await.unwrap().len(),
        1,
        "only the operator's"
    );
    let accounts = app.state.auth.local.as_ref().unwrap();
    assert!(accounts.has_accounts().await.unwrap());
}

#[tokio::test]
async fn admin_routes_refuse_everyone_but_the_admins_group() {
    let app = TestApp::spawn().await;
    app.add_user("root@example.com", PASSWORD, &["admins"])
        .await;
    let refused_groups: [&[&str]; 5] = [&[], &["users"], &["Admins"], &[" admins"], &["admins "]];
    for (n, groups) in refused_groups.iter().enumerate() {
        let email = format!("user{n}@example.com");
        app.add_user(&email, PASSWORD, groups).await;
    }

    let anonymous = app.get("/api/admin/users").await;
    assert_eq!(anonymous.status(), 401);
    for (n, groups) in refused_groups.iter().enumerate() {
        let tokens = app.sign_in(&format!("user{n}@example.com"), PASSWORD).await;
        let response = app
            .client
            .get(app.url("/api/admin/users"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "groups {groups:?}");
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, ErrorCode::Forbidden);
    }

    let admin = app.sign_in("root@example.com", PASSWORD).await;
    let response = app
        .client
        .get(app.url("/api/admin/users"))
        .bearer_auth(admin["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("argon2"),
        "no password hashes leave the server"
    );
    let users: Vec<Value> = serde_json::from_str(&text).unwrap();
    let emails: Vec<&str> = users.iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&"root@example.com") && emails.contains(&"user0@example.com"));
    assert!(emails.windows(2).all(|w| w[0] <= w[1]), "ordered by email");
}

#[tokio::test]
async fn page_loads_renew_an_expired_session_from_the_refresh_cookie() {
    let app = app_with_alice().await;
    let tokens = app.sign_in("alice@example.com", PASSWORD).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let load = |cookie: String| {
        app.client
            .get(app.url("/"))
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookie)
            .send()
    };

    // The access token is gone (expired, say); the refresh token still works.
    let page = load(format!(
        "expedite_access=expired.garbage.token; expedite_refresh={refresh}"
    ))
    .await
    .unwrap();
    assert_eq!(
        page.status(),
        200,
        "the dashboard, not the sign-in redirect"
    );
    let renewed: Vec<String> = page
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        renewed.iter().any(|c| c.starts_with("expedite_access=ey")),
        "{renewed:?}"
    );
    assert!(
        renewed
            .iter()
            .any(|c| c.starts_with("expedite_refresh=") && !c.contains(refresh))
    );
    assert!(page.text().await.unwrap().contains("alice@example.com"));

    // The old refresh token was used up: presenting it again ends the session.
    let replay = load(format!("expedite_refresh={refresh}")).await.unwrap();
    assert_eq!(replay.status(), 302);
    assert!(
        replay
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .all(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );

    // API calls never renew: they get 401 and the client decides.
    let api = app
        .client
        .get(app.url("/api/me"))
        .header(header::COOKIE, format!("expedite_refresh={refresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
}
