//! `Owner.Name`: the one relationship field the select list takes, rendered as the nested
//! User record; every other dotted field refused as Salesforce refuses it.

use std::collections::HashSet;

use expedite_salesforce_sandbox::{NewAccount, user_name, users};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::start;

#[tokio::test]
async fn owner_name_comes_back_as_a_nested_user_record_on_every_page() {
    let app = start().await;
    app.sandbox.seed_accounts(450, 5);
    let (total, pages) = app
        .query_pages(
            "query",
            "SELECT Id, OwnerId, owner.name FROM Account ORDER BY Id",
            200,
        )
        .await;
    assert_eq!((total, pages.len()), (450, 3));
    let mut owners = HashSet::new();
    for record in pages.iter().flatten() {
        let owner_id = record["OwnerId"].as_str().unwrap();
        let owner = &record["Owner"];
        assert_eq!(owner["attributes"]["type"], "User", "{record}");
        assert_eq!(
            owner["attributes"]["url"],
            format!("/services/data/v60.0/sobjects/User/{owner_id}")
        );
        assert_eq!(owner["Name"].as_str(), user_name(owner_id), "{record}");
        assert_eq!(
            owner.as_object().unwrap().len(),
            2,
            "only what was selected"
        );
        assert!(record.get("Owner.Name").is_none());
        owners.insert(owner_id.to_owned());
    }
    let known: HashSet<String> = users().into_iter().map(|(id, _)| id).collect();
    assert!(owners.is_subset(&known));
    assert!(owners.len() > 1, "seeded owners are spread over the users");

    // Seeding is deterministic: the same seed gives the same owners.
    let again = start().await;
    again.sandbox.seed_accounts(450, 5);
    let owners_of = |sandbox: &expedite_salesforce_sandbox::Sandbox| -> Vec<String> {
        sandbox.accounts().into_iter().map(|a| a.owner_id).collect()
    };
    assert_eq!(owners_of(&app.sandbox), owners_of(&again.sandbox));
}

#[tokio::test]
async fn an_empty_owner_id_gives_a_null_owner() {
    let app = start().await;
    app.sandbox.insert_account(NewAccount {
        name: "Unowned".into(),
        owner_id: Some(String::new()),
        ..NewAccount::default()
    });
    let owned = app.sandbox.insert_account(NewAccount {
        name: "Owned".into(),
        ..NewAccount::default()
    });
    let reply = app
        .query("SELECT Name, Owner.Name, OwnerId FROM Account ORDER BY Name DESC")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let records = reply.body["records"].as_array().unwrap();
    assert_eq!(records[0]["Name"], "Unowned");
    assert!(records[0]["Owner"].is_null(), "{}", records[0]);
    assert!(records[0].get("Owner").is_some(), "the key is there");
    assert!(records[0]["OwnerId"].is_null());
    assert_eq!(
        records[1]["Owner"]["Name"].as_str(),
        user_name(&owned.owner_id)
    );
}

#[tokio::test]
async fn other_dotted_fields_are_invalid() {
    let app = start().await;
    app.sandbox.insert_account(NewAccount {
        name: "Acme".into(),
        ..NewAccount::default()
    });
    let cases = [
        (
            "SELECT Id, Owner.Email FROM Account",
            "No such column 'Email' on entity 'User'",
        ),
        (
            "SELECT Owner.Name.First FROM Account",
            "No such column 'Name.First'",
        ),
        (
            "SELECT Parent.Name FROM Account",
            "Didn't understand relationship 'Parent'",
        ),
        (
            "SELECT Id, Name.Owner FROM Account",
            "Didn't understand relationship 'Name'",
        ),
        (
            "SELECT Id FROM Account WHERE Owner.Name = 'x'",
            "No such column 'Owner.Name'",
        ),
        (
            "SELECT Id FROM Account ORDER BY Owner.Name",
            "No such column 'Owner.Name'",
        ),
    ];
    for (soql, message) in cases {
        let reply = app.query(soql).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{soql}: {}",
            reply.body
        );
        assert_eq!(
            reply.error_code(),
            "INVALID_FIELD",
            "{soql}: {}",
            reply.body
        );
        let text = reply.body[0]["message"].as_str().unwrap();
        assert!(text.contains(message), "{soql}: {text}");
    }
}

#[tokio::test]
async fn owner_ids_must_name_a_user_and_the_name_follows_them() {
    let app = start().await;
    let account = app.sandbox.insert_account(NewAccount {
        name: "Acme".into(),
        ..NewAccount::default()
    });
    let path = app.api(&format!("sobjects/Account/{}", account.id));
    let stranger = "005Dn0000000099IAA";
    let refused = app
        .send(app.http.patch(&path).json(&json!({"OwnerId": stranger})))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_code(), "INVALID_CROSS_REFERENCE_KEY");

    let (new_owner, new_name) = users().pop().unwrap();
    let moved = app
        .send(app.http.patch(&path).json(&json!({"OwnerId": new_owner})))
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.body);
    let reply = app.query("SELECT Owner.Name FROM Account").await;
    assert_eq!(reply.body["records"][0]["Owner"]["Name"], new_name);

    let describe = app.get(&app.api("sobjects/Account/describe")).await;
    let owner_id = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "OwnerId")
        .unwrap();
    assert_eq!(owner_id["relationshipName"], "Owner");
    assert_eq!(owner_id["referenceTo"], json!(["User"]));
}
