//! Reading the `SALESFORCE_*` variables: flows, key sources and half-configured orgs.

use std::collections::HashMap;

use super::*;

fn from(pairs: &[(&str, &str)]) -> Result<Option<SalesforceConfig>, SalesforceConfigError> {
    let vars: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    SalesforceConfig::from_vars(|name| vars.get(name).cloned())
}

#[test]
fn nothing_set_means_not_configured() {
    assert_eq!(from(&[]).unwrap(), None);
    assert_eq!(from(&[("SALESFORCE_CLIENT_ID", " ")]).unwrap(), None);
}

#[test]
fn the_flow_follows_from_the_variables() {
    let config = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_CLIENT_SECRET", "shh"),
        ("SALESFORCE_LOGIN_URL", "https://test.salesforce.com/"),
        ("SALESFORCE_API_VERSION", "v61.0"),
    ])
    .unwrap()
    .unwrap();
    assert_eq!(config.login_url, "https://test.salesforce.com");
    assert_eq!(config.api_version, "61.0");
    assert!(matches!(config.auth, AuthFlow::ClientCredentials { .. }));
    assert!(
        !format!("{config:?}").contains("shh"),
        "secrets never print"
    );

    let config = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_CLIENT_SECRET", "shh"),
        ("SALESFORCE_USERNAME", "u@example.com"),
        ("SALESFORCE_PASSWORD", "pw"),
    ])
    .unwrap()
    .unwrap();
    assert!(matches!(config.auth, AuthFlow::Password { .. }));
    assert_eq!(config.login_url, SalesforceConfig::DEFAULT_LOGIN_URL);
}

#[test]
fn the_jwt_flow_reads_the_key_file_at_start_up() {
    let dir = std::env::temp_dir().join(format!("sf-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nMII=\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let path = key.display().to_string();
    let config = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_USERNAME", "u@example.com"),
        ("SALESFORCE_PRIVATE_KEY_FILE", &path),
    ])
    .unwrap()
    .unwrap();
    assert!(matches!(config.auth, AuthFlow::JwtBearer { .. }));
    let missing = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_USERNAME", "u@example.com"),
        ("SALESFORCE_PRIVATE_KEY_FILE", "/nonexistent/key.pem"),
    ]);
    assert!(matches!(
        missing,
        Err(SalesforceConfigError::KeyFile { .. })
    ));
    let both = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_USERNAME", "u@example.com"),
        ("SALESFORCE_PRIVATE_KEY_FILE", &path),
        ("SALESFORCE_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\n"),
    ]);
    assert!(matches!(both, Err(SalesforceConfigError::Ambiguous(_))));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_jwt_flow_takes_the_key_pem_itself() {
    let pem = "-----BEGIN PRIVATE KEY-----\nMII=\n-----END PRIVATE KEY-----\n";
    let config = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_USERNAME", "u@example.com"),
        ("SALESFORCE_PRIVATE_KEY", pem),
    ])
    .unwrap()
    .unwrap();
    assert!(
        matches!(&config.auth, AuthFlow::JwtBearer { private_key_pem, .. } if private_key_pem.expose() == pem)
    );
    let error = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_USERNAME", "u@example.com"),
        ("SALESFORCE_PRIVATE_KEY", "hunter2"),
    ])
    .unwrap_err();
    assert_eq!(
        error,
        SalesforceConfigError::NotAKey("SALESFORCE_PRIVATE_KEY")
    );
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[test]
fn half_configured_is_an_error_naming_what_is_missing() {
    let error = from(&[("SALESFORCE_CLIENT_SECRET", "shh")]).unwrap_err();
    assert!(
        error.to_string().contains("SALESFORCE_CLIENT_ID"),
        "{error}"
    );
    let error = from(&[("SALESFORCE_CLIENT_ID", "cid")]).unwrap_err();
    assert!(
        error.to_string().contains("SALESFORCE_CLIENT_SECRET"),
        "{error}"
    );
    let error = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_USERNAME", "u"),
    ])
    .unwrap_err();
    assert!(matches!(error, SalesforceConfigError::Ambiguous(_)));
    let error = from(&[
        ("SALESFORCE_CLIENT_ID", "cid"),
        ("SALESFORCE_CLIENT_SECRET", "s"),
        ("SALESFORCE_API_VERSION", "latest"),
    ])
    .unwrap_err();
    assert!(
        error.to_string().contains("SALESFORCE_API_VERSION"),
        "{error}"
    );
}
