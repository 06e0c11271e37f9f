//! The `updated` and `deleted` replication feeds.

use expedite_salesforce_sandbox::{NewAccount, Timestamp};
use reqwest::StatusCode;

use crate::support::{Reply, TestSandbox, start};

async fn feed(app: &TestSandbox, kind: &str, start: &str, end: &str) -> Reply {
    let url = app.api(&format!("sobjects/Account/{kind}/"));
    app.send(app.http.get(url).query(&[("start", start), ("end", end)]))
        .await
}

#[tokio::test]
async fn updated_and_deleted_list_the_window() {
    let app = start().await;
    let t0 = Timestamp::parse("2024-06-10T12:00:00Z").unwrap();
    app.sandbox.set_now(t0);
    let old = app.sandbox.insert_account(NewAccount {
        name: "Old".into(),
        ..NewAccount::default()
    });
    let doomed = app.sandbox.insert_account(NewAccount {
        name: "Doomed".into(),
        ..NewAccount::default()
    });
    app.sandbox.set_now(t0.plus_millis(10 * 60_000));
    let touched = app
        .sandbox
        .update_account(&old.id, |a| a.phone = Some("+1 555".into()))
        .unwrap();
    app.sandbox.delete_account(&doomed.id);
    app.sandbox.set_now(t0.plus_millis(60 * 60_000));

    let updated = feed(
        &app,
        "updated",
        "2024-06-10T12:05:00+00:00",
        "2024-06-10T12:30:00Z",
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["ids"], serde_json::json!([touched.id]));
    assert_eq!(
        updated.body["latestDateCovered"],
        "2024-06-10T12:30:00.000+0000"
    );

    let deleted = feed(
        &app,
        "deleted",
        "2024-06-10T12:05:00Z",
        "2024-06-10T12:30:00Z",
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.body["deletedRecords"][0]["id"], doomed.id.as_str());
    assert_eq!(
        deleted.body["deletedRecords"][0]["deletedDate"],
        "2024-06-10T12:10:00.000+0000"
    );
    assert_eq!(
        deleted.body["earliestDateAvailable"],
        "2024-05-26T13:00:00.000+0000"
    );

    let too_old = feed(
        &app,
        "deleted",
        "2024-05-20T00:00:00Z",
        "2024-05-21T00:00:00Z",
    )
    .await;
    assert_eq!(too_old.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_old.error_code(), "INVALID_REPLICATION_DATE");
    let backwards = feed(
        &app,
        "updated",
        "2024-06-10T12:30:00Z",
        "2024-06-10T12:00:00Z",
    )
    .await;
    assert_eq!(backwards.error_code(), "INVALID_REPLICATION_DATE");
    let missing = app
        .send(app.http.get(app.api("sobjects/Account/updated/")))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}
