//! The Secrets Manager adapter against moto's Secrets Manager.

use expedite_aws::{SecretsError, SecretsManager, provision};

#[tokio::test]
async fn a_secret_string_is_read_by_arn_and_never_printed() {
    let config = super::moto::config().await;
    let name = format!("expedite/openai-{}", uuid::Uuid::new_v4().simple());
    let arn = provision::create_secret(&config, &name, "sk-test-not-printed")
        .await
        .expect("secret");

    let secret = SecretsManager::new(&config)
        .get_secret_string(&arn)
        .await
        .expect("readable");

    assert_eq!(secret.expose(), "sk-test-not-printed");
    assert!(!format!("{secret:?}").contains("sk-test"), "{secret:?}");
}

#[tokio::test]
async fn a_missing_secret_is_an_error_naming_it() {
    let config = super::moto::config().await;
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:expedite/nope-AbCdEf";

    let error = SecretsManager::new(&config)
        .get_secret_string(arn)
        .await
        .expect_err("no such secret");

    assert!(matches!(error, SecretsError::NotFound { .. }), "{error:?}");
    assert!(error.to_string().contains(arn), "{error}");
}

#[tokio::test]
async fn a_secret_created_without_a_value_is_told_from_a_missing_one() {
    let config = super::moto::config().await;
    let name = format!("expedite/empty-{}", uuid::Uuid::new_v4().simple());
    let created = aws_sdk_secretsmanager::Client::new(&config)
        .create_secret()
        .name(&name)
        .send()
        .await
        .expect("an empty secret, as the stack creates it");
    let arn = created.arn().unwrap();

    let error = SecretsManager::new(&config)
        .get_secret_string(arn)
        .await
        .expect_err("no value yet");

    assert!(matches!(error, SecretsError::NoValue { .. }), "{error:?}");
}
