//! Creates the resources `infra/template.yaml` declares in an emulator (moto) or a scratch
//! account: every DynamoDB table with its indexes, and a job queue with its dead-letter queue.
//! Tests use it so that the tables they run against are the ones the deployment declares.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_yaml::Value;

use crate::TableNames;

/// An SDK configuration for an emulator at `endpoint` (moto on 127.0.0.1 in the tests), with
/// throwaway credentials in `us-east-1`.
pub async fn emulator_config(endpoint: &str) -> aws_config::SdkConfig {
    crate::load_config(&crate::AwsSettings {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.to_owned()),
        static_credentials: Some(("test".into(), "test".into())),
    })
    .await
}

/// A resource could not be created.
#[derive(Debug, thiserror::Error)]
#[error("provisioning failed: {0}")]
pub struct ProvisionError(String);

fn failed(what: impl std::fmt::Display) -> ProvisionError {
    ProvisionError(what.to_string())
}

fn text<'a>(value: &'a Value, what: &str) -> Result<&'a str, ProvisionError> {
    value
        .as_str()
        .ok_or_else(|| failed(format!("{what} is not a string")))
}

/// Creates every `AWS::DynamoDB::Table` of `template` (CloudFormation YAML) as
/// `<LogicalId>-<suffix>`, on demand, and returns the names of Expedite's tables.
pub async fn create_tables(
    config: &aws_config::SdkConfig,
    template: &str,
    suffix: &str,
) -> Result<TableNames, ProvisionError> {
    let client = aws_sdk_dynamodb::Client::new(config);
    let template: Value = serde_yaml::from_str(template).map_err(failed)?;
    let resources = template["Resources"]
        .as_mapping()
        .ok_or_else(|| failed("the template has no Resources"))?;
    let mut names = HashMap::new();
    for (logical, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::DynamoDB::Table") {
            continue;
        }
        let logical = text(logical, "a logical id")?;
        let name = format!("{logical}-{suffix}");
        let props = &resource["Properties"];
        let mut request = client
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest);
        for def in props["AttributeDefinitions"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            request = request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(text(&def["AttributeName"], "AttributeName")?)
                    .attribute_type(ScalarAttributeType::from(text(
                        &def["AttributeType"],
                        "AttributeType",
                    )?))
                    .build()
                    .map_err(failed)?,
            );
        }
        request = request.set_key_schema(Some(key_schema(&props["KeySchema"])?));
        for index in props["GlobalSecondaryIndexes"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(text(&index["IndexName"], "IndexName")?)
                    .set_key_schema(Some(key_schema(&index["KeySchema"])?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(failed)?,
            );
        }
        request
            .send()
            .await
            .map_err(|e| failed(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        names.insert(logical.to_owned(), name);
    }
    let mut take = |logical: &str| {
        names
            .remove(logical)
            .ok_or_else(|| failed(format!("the template declares no {logical}")))
    };
    Ok(TableNames {
        queries: take("QueriesTable")?,
        customers: take("CustomersTable")?,
        sync: take("SyncTable")?,
    })
}

fn key_schema(value: &Value) -> Result<Vec<KeySchemaElement>, ProvisionError> {
    value
        .as_sequence()
        .ok_or_else(|| failed("KeySchema is not a list"))?
        .iter()
        .map(|key| {
            KeySchemaElement::builder()
                .attribute_name(text(&key["AttributeName"], "AttributeName")?)
                .key_type(KeyType::from(text(&key["KeyType"], "KeyType")?))
                .build()
                .map_err(failed)
        })
        .collect()
}

/// Creates `jobs-<suffix>` with a redrive policy to `jobs-dlq-<suffix>` after `max_receives`
/// deliveries; returns (queue URL, dead-letter queue URL).
pub async fn create_queues(
    config: &aws_config::SdkConfig,
    suffix: &str,
    max_receives: u32,
) -> Result<(String, String), ProvisionError> {
    let client = aws_sdk_sqs::Client::new(config);
    let sqs_failed = |e: &dyn std::fmt::Debug| failed(format!("{e:?}"));
    let dlq = client
        .create_queue()
        .queue_name(format!("jobs-dlq-{suffix}"))
        .send()
        .await
        .map_err(|e| sqs_failed(&e))?;
    let dlq_url = dlq
        .queue_url()
        .ok_or_else(|| failed("no DLQ url"))?
        .to_owned();
    let attributes = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| sqs_failed(&e))?;
    let dlq_arn = attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .ok_or_else(|| failed("no DLQ arn"))?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": max_receives.to_string(),
    });
    let queue = client
        .create_queue()
        .queue_name(format!("jobs-{suffix}"))
        .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
        .send()
        .await
        .map_err(|e| sqs_failed(&e))?;
    let queue_url = queue
        .queue_url()
        .ok_or_else(|| failed("no queue url"))?
        .to_owned();
    Ok((queue_url, dlq_url))
}

/// How a test user's password is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordKind {
    /// The user must choose a new one at first sign-in (NEW_PASSWORD_REQUIRED).
    Temporary,
    Permanent,
}

/// A user pool with an app client allowed USER_PASSWORD_AUTH and refresh, and an `admins`
/// group; returns (pool id, client id).
pub async fn create_user_pool(
    config: &aws_config::SdkConfig,
) -> Result<(String, String), ProvisionError> {
    use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType;
    let client = aws_sdk_cognitoidentityprovider::Client::new(config);
    let cognito_failed = |e: &dyn std::fmt::Debug| failed(format!("{e:?}"));
    let pool = client
        .create_user_pool()
        .pool_name("expedite")
        .send()
        .await
        .map_err(|e| cognito_failed(&e))?;
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .ok_or_else(|| failed("no pool id"))?
        .to_owned();
    let app = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(|e| cognito_failed(&e))?;
    let client_id = app
        .user_pool_client()
        .and_then(|c| c.client_id())
        .ok_or_else(|| failed("no client id"))?
        .to_owned();
    client
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .send()
        .await
        .map_err(|e| cognito_failed(&e))?;
    Ok((pool_id, client_id))
}

/// Adds a user (email as username) with a password and groups to a pool.
pub async fn add_user(
    config: &aws_config::SdkConfig,
    pool_id: &str,
    email: &str,
    password: &str,
    kind: PasswordKind,
    groups: &[&str],
) -> Result<(), ProvisionError> {
    use aws_sdk_cognitoidentityprovider::types::MessageActionType;
    let client = aws_sdk_cognitoidentityprovider::Client::new(config);
    let cognito_failed = |e: &dyn std::fmt::Debug| failed(format!("{e:?}"));
    let mut create = client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(email)
        .message_action(MessageActionType::Suppress);
    if kind == PasswordKind::Temporary {
        create = create.temporary_password(password);
    }
    create.send().await.map_err(|e| cognito_failed(&e))?;
    if kind == PasswordKind::Permanent {
        client
            .admin_set_user_password()
            .user_pool_id(pool_id)
            .username(email)
            .password(password)
            .permanent(true)
            .send()
            .await
            .map_err(|e| cognito_failed(&e))?;
    }
    for group in groups {
        client
            .admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(email)
            .group_name(*group)
            .send()
            .await
            .map_err(|e| cognito_failed(&e))?;
    }
    Ok(())
}

/// Stores `value` as the SecretString of a new secret `name`; returns its ARN.
pub async fn create_secret(
    config: &aws_config::SdkConfig,
    name: &str,
    value: &str,
) -> Result<String, ProvisionError> {
    let created = aws_sdk_secretsmanager::Client::new(config)
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .map_err(|e| failed(aws_sdk_secretsmanager::error::DisplayErrorContext(e)))?;
    created
        .arn()
        .map(str::to_owned)
        .ok_or_else(|| failed("no secret arn"))
}
