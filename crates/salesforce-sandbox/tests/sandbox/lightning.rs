//! The record page behind "Open in Salesforce": `/lightning/r/Account/{id}/view`.

use expedite_salesforce_sandbox::{NewAccount, user_name};
use reqwest::StatusCode;

use crate::support::start;

#[tokio::test]
async fn the_record_page_shows_the_fields_escaped() {
    let app = start().await;
    let account = app.sandbox.insert_account(NewAccount {
        name: r#"<script>alert("owned")</script> & Sons"#.into(),
        industry: Some("Retail".into()),
        annual_revenue: Some(15_000_000.0),
        website: Some(r#"javascript:alert('x')" onclick="x"#.into()),
        billing_city: Some("São Paulo".into()),
        ..NewAccount::default()
    });
    let url = format!(
        "{}/lightning/r/Account/{}/view",
        app.sandbox.base_url(),
        account.id
    );
    // A browser has no API session: none is needed.
    let response = app.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onclick=\""), "{html}");
    assert!(
        html.contains("<h1>&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; Sons</h1>")
    );
    assert!(html.contains("<title>&lt;script&gt;alert(&quot;owned&quot;)"));
    assert!(html.contains("javascript:alert(&#39;x&#39;)&quot; onclick=&quot;x"));
    for shown in [
        "<dd>Retail</dd>",
        "<dd>$15,000,000</dd>",
        "<dd>São Paulo</dd>",
        &format!("<dd>{}</dd>", account.id),
        &format!("<dd>{}</dd>", user_name(&account.owner_id).unwrap()),
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }

    // The 15-character id leads to the same page.
    let short = url.replace(&account.id, &account.id[..15]);
    let response = app.http.get(&short).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_records_are_a_404_page() {
    let app = start().await;
    let account = app.sandbox.insert_account(NewAccount {
        name: "Acme".into(),
        ..NewAccount::default()
    });
    let base = app.sandbox.base_url();
    for path in [
        "/lightning/r/Account/001Dn0000000999IAA/view".to_owned(),
        "/lightning/r/Account/%3Cb%3Enot-an-id%3C%2Fb%3E/view".to_owned(),
        format!("/lightning/r/Contact/{}/view", account.id),
    ] {
        let response = app.http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("<h1>Record not found</h1>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    // A deleted record still has its page, marked as in the Recycle Bin.
    assert!(app.sandbox.delete_account(&account.id));
    let url = format!("{base}/lightning/r/Account/{}/view", account.id);
    let html = app
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Recycle Bin"), "{html}");

    // The page is no API call: injected API failures and the daily limit leave it alone.
    app.sandbox.fail_next(1, 503);
    let response = app.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.query("SELECT Id FROM Account").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
