//! sObject Collections and single-record writes: per-record results, allOrNone, upserts.

use expedite_salesforce_sandbox::{NewAccount, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Reply, TestSandbox, start};

async fn collection(app: &TestSandbox, method: reqwest::Method, path: &str, body: Value) -> Reply {
    app.send(app.http.request(method, app.api(path)).json(&body))
        .await
}

fn account(fields: Value) -> Value {
    let mut record = json!({"attributes": {"type": "Account"}});
    record
        .as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    record
}

#[tokio::test]
async fn create_reports_each_record_in_order() {
    let app = start().await;
    let body = json!({"allOrNone": false, "records": [
        account(json!({"Name": "First", "AnnualRevenue": 10})),
        account(json!({"Industry": "Retail"})),
        account(json!({"Name": "Third", "Bogus__c": 1})),
        account(json!({"Name": "x".repeat(256)})),
        account(json!({"Name": "Fifth", "Website": "https://fifth.example"})),
    ]});
    let reply = collection(&app, reqwest::Method::POST, "composite/sobjects", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let results = reply.body.as_array().unwrap();
    assert_eq!(results.len(), 5);
    let codes: Vec<&str> = results
        .iter()
        .map(|r| {
            r["errors"]
                .get(0)
                .map_or("", |e| e["statusCode"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        codes,
        [
            "",
            "REQUIRED_FIELD_MISSING",
            "INVALID_FIELD",
            "STRING_TOO_LONG",
            ""
        ]
    );
    assert_eq!(results[0]["success"], true);
    assert!(results[0]["id"].as_str().unwrap().starts_with("001"));
    assert_eq!(results[0]["id"].as_str().unwrap().len(), 18);
    assert_eq!(results[1]["success"], false);
    assert!(results[1]["id"].is_null());
    assert_eq!(results[1]["errors"][0]["fields"], json!(["Name"]));
    let names: Vec<String> = app.sandbox.accounts().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["First", "Fifth"]);
}

#[tokio::test]
async fn all_or_none_rolls_everything_back() {
    let app = start().await;
    let body = json!({"allOrNone": true, "records": [
        account(json!({"Name": "Kept?"})),
        account(json!({"Name": null})),
    ]});
    let reply = collection(&app, reqwest::Method::POST, "composite/sobjects", body).await;
    assert_eq!(reply.body[0]["success"], false);
    assert_eq!(
        reply.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        reply.body[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert!(app.sandbox.accounts().is_empty());
}

#[tokio::test]
async fn update_fails_a_rejected_record_and_bumps_the_others() {
    let app = start().await;
    let created = Timestamp::parse("2024-03-01T08:00:00Z").unwrap();
    app.sandbox.set_now(created);
    let a = app.sandbox.insert_account(NewAccount {
        name: "A".into(),
        ..NewAccount::default()
    });
    let b = app.sandbox.insert_account(NewAccount {
        name: "B".into(),
        ..NewAccount::default()
    });
    app.sandbox.reject_writes_to(
        &b.id,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Phone is locked",
    );
    let later = created.plus_millis(90_000);
    app.sandbox.set_now(later);
    let body = json!({"records": [
        account(json!({"Id": a.id, "Phone": "+1 555 0100"})),
        account(json!({"Id": b.id, "Phone": "+1 555 0101"})),
        account(json!({"Phone": "+1 555 0102"})),
    ]});
    let reply = collection(&app, reqwest::Method::PATCH, "composite/sobjects", body).await;
    assert_eq!(reply.body[0]["success"], true, "{}", reply.body);
    assert_eq!(
        reply.body[1]["errors"][0]["statusCode"],
        "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    );
    assert_eq!(reply.body[1]["errors"][0]["message"], "Phone is locked");
    assert_eq!(reply.body[1]["id"], b.id.as_str());
    assert_eq!(reply.body[2]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    let a_now = app.sandbox.account(&a.id).unwrap();
    assert_eq!(a_now.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(a_now.system_modstamp, later);
    assert_eq!(a_now.last_modified_date, later);
    assert_eq!(a_now.created_date, created);
    assert_eq!(app.sandbox.account(&b.id).unwrap().system_modstamp, created);
}

#[tokio::test]
async fn upsert_matches_external_ids_and_refuses_record_ids() {
    let app = start().await;
    let records = |name: &str| json!({"allOrNone": false, "records": [account(json!({"External_Id__c": "ERP-1", "Name": name}))]});
    let first = collection(
        &app,
        reqwest::Method::PATCH,
        "composite/sobjects/Account/External_Id__c",
        records("One"),
    )
    .await;
    assert_eq!(first.body[0]["created"], true, "{}", first.body);
    let second = collection(
        &app,
        reqwest::Method::PATCH,
        "composite/sobjects/Account/External_Id__c",
        records("Uno"),
    )
    .await;
    assert_eq!(second.body[0]["created"], false);
    assert_eq!(second.body[0]["id"], first.body[0]["id"]);
    let id = first.body[0]["id"].as_str().unwrap();
    assert_eq!(app.sandbox.account(id).unwrap().name, "Uno");

    // Salesforce's guide: "Only external ids are supported. Don't use record ids." The whole
    // call is refused and nothing is written.
    let by_id = json!({"records": [account(json!({"Id": id, "Name": "Eins"})), account(json!({"Name": "New"}))]});
    let reply = collection(
        &app,
        reqwest::Method::PATCH,
        "composite/sobjects/Account/Id",
        by_id,
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.error_code(), "INVALID_FIELD");
    assert_eq!(app.sandbox.account(id).unwrap().name, "Uno");
    assert_eq!(app.sandbox.accounts().len(), 1);

    let missing = collection(
        &app,
        reqwest::Method::PATCH,
        "composite/sobjects/Account/External_Id__c",
        json!({"records": [account(json!({"Name": "No key"}))]}),
    )
    .await;
    assert_eq!(
        missing.body[0]["errors"][0]["statusCode"],
        "MISSING_ARGUMENT"
    );
    let bad_field = collection(
        &app,
        reqwest::Method::PATCH,
        "composite/sobjects/Account/Name",
        records("x"),
    )
    .await;
    assert_eq!(bad_field.status, StatusCode::NOT_FOUND);

    // The single-record form simple-salesforce uses: 201 on create, 200 on update.
    let url = app.api("sobjects/Account/External_Id__c/ERP-2");
    let created = app
        .send(app.http.patch(&url).json(&json!({"Name": "Two"})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["created"], true);
    let updated = app
        .send(app.http.patch(&url).json(&json!({"Name": "Dos"})))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["id"], created.body["id"]);
}

#[tokio::test]
async fn delete_and_limits_of_a_collection() {
    let app = start().await;
    let a = app.sandbox.insert_account(NewAccount {
        name: "A".into(),
        ..NewAccount::default()
    });
    let url = app.api("composite/sobjects");
    let ids = format!("{},001000000000000AAA,bad", a.id);
    let reply = app
        .send(
            app.http
                .delete(&url)
                .query(&[("ids", ids.as_str()), ("allOrNone", "false")]),
        )
        .await;
    let codes: Vec<&Value> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["success"])
        .collect();
    assert_eq!(
        codes,
        [&json!(true), &json!(false), &json!(false)],
        "{}",
        reply.body
    );
    assert_eq!(reply.body[2]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert!(app.sandbox.account(&a.id).unwrap().is_deleted);
    let again = app
        .send(app.http.delete(&url).query(&[("ids", a.id.as_str())]))
        .await;
    assert_eq!(
        again.body[0]["errors"][0]["statusCode"],
        "ENTITY_IS_DELETED"
    );

    let too_many: Vec<Value> = (0..201)
        .map(|i| account(json!({"Name": format!("N{i}")})))
        .collect();
    let reply = collection(
        &app,
        reqwest::Method::POST,
        "composite/sobjects",
        json!({"records": too_many}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_code(), "EXCEEDED_ID_LIMIT");
    let garbage = app.send(app.http.post(&url).body("{not json")).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert_eq!(garbage.error_code(), "JSON_PARSER_ERROR");
}
