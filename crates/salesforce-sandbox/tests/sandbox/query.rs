//! SOQL over HTTP: errors, paging over shared timestamps, query vs queryAll, cursors.

use std::collections::HashSet;
use std::time::Duration;

use expedite_salesforce_sandbox::{NewAccount, Timestamp};
use reqwest::StatusCode;

use crate::support::start;

fn named(name: &str) -> NewAccount {
    NewAccount {
        name: name.to_owned(),
        ..NewAccount::default()
    }
}

#[tokio::test]
async fn parse_errors_are_salesforce_errors() {
    let app = start().await;
    let cases = [
        ("SELEC Id FROM Account", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Account WHERE Name = 'open",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'a' AND Phone = 'b' OR Website = 'c'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Account LIMIT many", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account ORDER Name", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > 2024-13-45T00:00:00Z",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id, Nope FROM Account", "INVALID_FIELD"),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'",
            "INVALID_FIELD",
        ),
        (
            "SELECT Id FROM Account WHERE AnnualRevenue = 'big'",
            "INVALID_FIELD",
        ),
        ("SELECT Id FROM Contact", "INVALID_TYPE"),
        ("", "MALFORMED_QUERY"),
    ];
    for (soql, code) in cases {
        let reply = app.query(soql).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{soql}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), code, "{soql}: {}", reply.body);
        assert!(reply.body[0]["message"].is_string());
    }
    let unknown = app.query("SELECT Id, Nope FROM Account").await;
    assert!(
        unknown.body[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("No such column 'Nope' on entity 'Account'")
    );
}

#[tokio::test]
async fn pages_over_one_shared_timestamp_never_skip_or_repeat() {
    let app = start().await;
    let second = Timestamp::parse("2024-05-20T20:49:32Z").unwrap();
    app.sandbox.set_now(second.plus_millis(-60_000));
    for i in 0..50 {
        app.sandbox.insert_account(named(&format!("Early {i}")));
    }
    app.sandbox.set_now(second);
    for i in 0..1_150 {
        app.sandbox.insert_account(named(&format!("Bulk {i}")));
    }
    app.sandbox.set_now(second.plus_millis(1_000));
    app.sandbox.insert_account(named("Late"));

    let soql = "SELECT Id, Name, SystemModstamp FROM Account \
                WHERE SystemModstamp >= 2024-05-20T20:49:32.000+0000 ORDER BY SystemModstamp, Id";
    let (total, pages) = app.query_pages("query", soql, 200).await;
    assert_eq!(total, 1_151);
    assert_eq!(pages.len(), 6);
    assert!(pages[..5].iter().all(|p| p.len() == 200));
    let records: Vec<_> = pages.into_iter().flatten().collect();
    let ids: Vec<&str> = records.iter().map(|r| r["Id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        1_151,
        "no duplicates"
    );
    assert!(
        ids[..1_150].windows(2).all(|w| w[0] < w[1]),
        "ties ordered by Id"
    );
    assert_eq!(records[0]["SystemModstamp"], "2024-05-20T20:49:32.000+0000");
    assert_eq!(records[1_150]["Name"], "Late");
    let attributes = &records[0]["attributes"];
    assert_eq!(attributes["type"], "Account");
    assert_eq!(
        attributes["url"],
        format!("/services/data/v60.0/sobjects/Account/{}", ids[0])
    );

    // The same instant written three ways selects the same rows.
    for literal in [
        "2024-05-20T20:49:32Z",
        "2024-05-20T20:49:32.000+00:00",
        "2024-05-20T22:49:32+02:00",
    ] {
        let reply = app
            .query(&format!(
                "SELECT COUNT() FROM Account WHERE SystemModstamp >= {literal}"
            ))
            .await;
        assert_eq!(reply.body["totalSize"], 1_151, "{literal}");
    }
}

#[tokio::test]
async fn query_hides_deleted_rows_and_query_all_shows_them() {
    let app = start().await;
    let kept = app.sandbox.insert_account(named("Kept"));
    let gone = app.sandbox.insert_account(named("Gone"));
    assert!(app.sandbox.delete_account(&gone.id));

    let live = app.query("SELECT Id, IsDeleted FROM Account").await;
    assert_eq!(live.body["totalSize"], 1);
    assert_eq!(live.body["records"][0]["Id"], kept.id.as_str());

    let all = app
        .send(app.http.get(app.api("queryAll")).query(&[(
            "q",
            "SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true",
        )]))
        .await;
    assert_eq!(all.body["totalSize"], 1, "{}", all.body);
    assert_eq!(all.body["records"][0]["Id"], gone.id.as_str());
    assert_eq!(all.body["records"][0]["IsDeleted"], true);
}

#[tokio::test]
async fn fields_are_case_insensitive_and_values_keep_their_types() {
    let app = start().await;
    app.sandbox.insert_account(NewAccount {
        name: "Acme Corp".into(),
        annual_revenue: Some(1_250_000.5),
        ..NewAccount::default()
    });
    app.sandbox.insert_account(named("Other"));
    let reply = app
        .query("select id, NAME, annualrevenue, Industry from account where name = 'acme corp' AND annualRevenue > 1000 limit 5")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["totalSize"], 1);
    assert_eq!(reply.body["done"], true);
    let record = &reply.body["records"][0];
    assert_eq!(record["Name"], "Acme Corp");
    assert_eq!(record["AnnualRevenue"], 1_250_000.5);
    assert!(record["Industry"].is_null());
    assert!(record.get("name").is_none());

    let ordered = app
        .query("SELECT Name FROM Account WHERE Name LIKE '%o%' ORDER BY Name DESC LIMIT 1")
        .await;
    assert_eq!(ordered.body["records"][0]["Name"], "Other");
    let inn = app
        .query("SELECT Name FROM Account WHERE Name IN ('other', 'nobody')")
        .await;
    assert_eq!(inn.body["totalSize"], 1);
}

#[tokio::test]
async fn the_eleventh_cursor_evicts_the_oldest_and_cursors_expire() {
    let app = start().await;
    app.sandbox.seed_accounts(450, 7);
    let options = ("Sforce-Query-Options", "batchSize=200");
    let mut next_urls = Vec::new();
    for _ in 0..11 {
        let reply = app
            .send(
                app.http
                    .get(app.api("query"))
                    .query(&[("q", "SELECT Id FROM Account")])
                    .header(options.0, options.1),
            )
            .await;
        assert_eq!(reply.body["records"].as_array().unwrap().len(), 200);
        next_urls.push(reply.body["nextRecordsUrl"].as_str().unwrap().to_owned());
    }
    assert!(next_urls[0].starts_with("/services/data/v60.0/query/01g"));
    assert!(next_urls[0].ends_with("-200"));
    let base = app.sandbox.base_url();
    let evicted = app.get(&format!("{base}{}", next_urls[0])).await;
    assert_eq!(evicted.status, StatusCode::BAD_REQUEST);
    assert_eq!(evicted.error_code(), "INVALID_QUERY_LOCATOR");

    // jsforce asks for the next page under queryAll/ too.
    let locator = next_urls[10].rsplit('/').next().unwrap();
    let alive = app.get(&app.api(&format!("queryAll/{locator}"))).await;
    assert_eq!(alive.status, StatusCode::OK, "{}", alive.body);
    assert_eq!(
        alive.body["nextRecordsUrl"],
        format!("/services/data/v60.0/query/{}-400", &locator[..18])
    );

    app.sandbox.advance(Duration::from_secs(16 * 60));
    let expired = app.get(&format!("{base}{}", next_urls[9])).await;
    assert_eq!(expired.error_code(), "INVALID_QUERY_LOCATOR");
}

#[tokio::test]
async fn unknown_paths_get_a_not_found_array() {
    let app = start().await;
    for path in ["nothing/here", "sobjects/Contact/describe"] {
        let reply = app.get(&app.api(path)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error_code(), "NOT_FOUND");
    }
    let describe = app.get(&app.api("sobjects/Account/describe")).await;
    assert_eq!(describe.status, StatusCode::OK);
    assert!(
        describe.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "External_Id__c" && f["externalId"] == true)
    );
}

#[tokio::test]
async fn a_hundred_thousand_seeded_accounts_page_through_completely() {
    let app = start().await;
    let started = std::time::Instant::now();
    app.sandbox.seed_accounts(100_000, 1);
    let seeded = started.elapsed();
    let accounts = app.sandbox.accounts();
    assert_eq!(accounts.len(), 100_000);
    let mut per_second = std::collections::HashMap::new();
    for account in &accounts {
        *per_second.entry(account.system_modstamp).or_insert(0) += 1;
        assert!(account.created_date <= account.last_modified_date);
        assert!(account.last_modified_date <= account.system_modstamp);
    }
    assert!(
        per_second.values().any(|n| *n >= 100),
        "bulk-import clusters share a second"
    );

    let (total, pages) = app
        .query_pages(
            "query",
            "SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id",
            2000,
        )
        .await;
    assert_eq!(total, 100_000);
    assert_eq!(pages.len(), 50);
    let ids: HashSet<String> = pages
        .iter()
        .flatten()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 100_000);
    eprintln!(
        "seeded 100k in {seeded:?}, seeded and paged in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn seeding_is_deterministic_for_a_seed() {
    let at = Timestamp::parse("2024-06-01T00:00:00Z").unwrap();
    let mut runs = Vec::new();
    for seed in [9, 9, 10] {
        let app = start().await;
        app.sandbox.set_now(at);
        app.sandbox.seed_accounts(50, seed);
        runs.push(app.sandbox.accounts());
    }
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0], runs[2]);
    assert!(
        runs[0]
            .iter()
            .all(|a| a.system_modstamp < at && a.id.len() == 18)
    );
}

#[tokio::test]
async fn seeding_before_a_time_stamps_every_account_before_it() {
    let now = Timestamp::parse("2024-06-01T00:00:00Z").unwrap();
    let before = now.plus_millis(-3 * 60_000);
    let app = start().await;
    app.sandbox.set_now(now);
    app.sandbox.seed_accounts_before(2_500, 42, before);
    let accounts = app.sandbox.accounts();
    assert_eq!(accounts.len(), 2_500);
    assert!(accounts.iter().all(|a| a.system_modstamp < before));
    let youngest = accounts.iter().map(|a| a.system_modstamp).max().unwrap();
    assert!(
        youngest.as_millis() > before.as_millis() - 24 * 3_600_000,
        "still spread up to shortly before {before}, newest {youngest}"
    );
    // The same draws as plain seeding, only shifted: a demo org looks like a test org.
    let plain = start().await;
    plain.sandbox.set_now(now);
    plain.sandbox.seed_accounts(2_500, 42);
    let names = |accounts: &[expedite_salesforce_sandbox::Account]| {
        accounts.iter().map(|a| a.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&accounts), names(&plain.sandbox.accounts()));
}
