//! Users and refresh tokens on DynamoDB, in the identity table:
//! `USER#<id>` (the user), `EMAIL#<email>` (uniqueness of the address, pointing at the id),
//! `REFRESH#<sha256>` (a token, with a TTL) and `FAMILY#<family>` (present when revoked).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem, Update};
use expedite_core::store::{Consumed, IdentityStore, RefreshToken, StoreError};
use expedite_domain::{Email, Timestamp, User, UserId};

use super::{
    DynamoStore,
    attr::{Item, corrupt, get_n, get_s, n, s},
    conditions::is_condition_failed,
    unavailable,
};

/// Bounded retries of a token transaction that conflicted with another one.
const CONSUME_ATTEMPTS: usize = 5;

fn user_pk(id: &UserId) -> String {
    format!("USER#{id}")
}

#[async_trait]
impl IdentityStore for DynamoStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let groups = serde_json::to_string(&user.groups).map_err(corrupt)?;
        let put_user = Put::builder()
            .table_name(&self.tables.identity)
            .item("pk", s(user_pk(&user.id)))
            .item("id", s(user.id.as_str()))
            .item("email", s(user.email.as_str()))
            .item("password_hash", s(&user.password_hash))
            .item("groups", s(groups))
            .item("created_at", n(user.created_at.as_millis()))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(corrupt)?;
        let put_email = Put::builder()
            .table_name(&self.tables.identity)
            .item("pk", s(format!("EMAIL#{}", user.email.as_str())))
            .item("id", s(user.id.as_str()))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(corrupt)?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_user).build())
            .transact_items(TransactWriteItem::builder().put(put_email).build())
            .send()
            .await;
        match written {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception()) =>
            {
                Err(StoreError::Conflict(format!(
                    "user {}",
                    user.email.as_str()
                )))
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(pointer) = self.item(format!("EMAIL#{}", email.as_str())).await? else {
            return Ok(None);
        };
        let id = UserId::parse(get_s(&pointer, "id")?).map_err(corrupt)?;
        self.user_by_id(&id).await
    }

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        self.item(user_pk(id))
            .await?
            .map(|item| read_user(&item))
            .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .scan()
                .table_name(&self.tables.identity)
                .filter_expression("begins_with(pk, :user)")
                .expression_attribute_values(":user", s("USER#"))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            for item in output.items() {
                users.push(read_user(item)?);
            }
            start = output.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        users.sort_by(|a, b| a.email.as_str().cmp(b.email.as_str()));
        Ok(users)
    }

    async fn set_user_groups(&self, id: &UserId, groups: &[String]) -> Result<bool, StoreError> {
        let groups = serde_json::to_string(groups).map_err(corrupt)?;
        self.update_user(id, "groups", groups).await
    }

    async fn set_password_hash(&self, id: &UserId, hash: &str) -> Result<bool, StoreError> {
        self.update_user(id, "password_hash", hash.to_owned()).await
    }

    async fn save_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.tables.identity)
            .item("pk", s(format!("REFRESH#{}", token.token_hash)))
            .item("user_id", s(token.user_id.as_str()))
            .item("family", s(&token.family))
            .item("expires_at_ms", n(token.expires_at.as_millis()))
            .item("used", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
            // Seconds, for DynamoDB's TTL; the store checks `expires_at_ms` itself.
            .item("expires_at", n(token.expires_at.as_millis() / 1000 + 1))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn consume_refresh_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Consumed, StoreError> {
        let pk = format!("REFRESH#{token_hash}");
        for _ in 0..CONSUME_ATTEMPTS {
            let Some(item) = self.item(pk.clone()).await? else {
                return Ok(Consumed::Invalid);
            };
            let token = RefreshToken {
                token_hash: token_hash.to_owned(),
                user_id: UserId::parse(get_s(&item, "user_id")?).map_err(corrupt)?,
                family: get_s(&item, "family")?,
                expires_at: Timestamp::from_millis(get_n(&item, "expires_at_ms")?),
            };
            let family_pk = format!("FAMILY#{}", token.family);
            if token.expires_at <= now || self.item(family_pk.clone()).await?.is_some() {
                return Ok(Consumed::Invalid);
            }
            let use_up = Update::builder()
                .table_name(&self.tables.identity)
                .key("pk", s(pk.clone()))
                .update_expression("SET used = :true")
                .condition_expression("used = :false")
                .expression_attribute_values(
                    ":true",
                    aws_sdk_dynamodb::types::AttributeValue::Bool(true),
                )
                .expression_attribute_values(
                    ":false",
                    aws_sdk_dynamodb::types::AttributeValue::Bool(false),
                )
                .build()
                .map_err(corrupt)?;
            let family_live = ConditionCheck::builder()
                .table_name(&self.tables.identity)
                .key("pk", s(family_pk))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(corrupt)?;
            let written = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(use_up).build())
                .transact_items(
                    TransactWriteItem::builder()
                        .condition_check(family_live)
                        .build(),
                )
                .send()
                .await;
            match written {
                Ok(_) => return Ok(Consumed::Valid(token)),
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|e| e.is_transaction_canceled_exception()) =>
                {
                    let now_item = self.item(pk.clone()).await?;
                    let used = now_item
                        .as_ref()
                        .and_then(|i| i.get("used"))
                        .and_then(|v| v.as_bool().ok())
                        .copied()
                        .unwrap_or(false);
                    if used {
                        if self
                            .item(format!("FAMILY#{}", token.family))
                            .await?
                            .is_some()
                        {
                            return Ok(Consumed::Invalid);
                        }
                        self.revoke_refresh_family(&token.family).await?;
                        return Ok(Consumed::Reused {
                            user_id: token.user_id,
                            family: token.family,
                        });
                    }
                    // Not used, so the family check or a conflict failed it: look again.
                }
                Err(error) => return Err(unavailable(error)),
            }
        }
        Err(StoreError::Unavailable("refresh kept conflicting".into()))
    }

    async fn revoke_refresh_family(&self, family: &str) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.tables.identity)
            .item("pk", s(format!("FAMILY#{family}")))
            .item(
                "revoked",
                aws_sdk_dynamodb::types::AttributeValue::Bool(true),
            )
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

impl DynamoStore {
    async fn item(&self, pk: String) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.identity)
            .key("pk", s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(output.item().cloned())
    }

    async fn update_user(
        &self,
        id: &UserId,
        field: &str,
        value: String,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.tables.identity)
            .key("pk", s(user_pk(id)))
            .update_expression("SET #field = :value")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#field", field)
            .expression_attribute_values(":value", s(value))
            .send()
            .await;
        match output {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failed(&error) => Ok(false),
            Err(error) => Err(unavailable(error)),
        }
    }
}

fn read_user(item: &Item) -> Result<User, StoreError> {
    Ok(User {
        id: UserId::parse(get_s(item, "id")?).map_err(corrupt)?,
        email: Email::parse(get_s(item, "email")?).map_err(corrupt)?,
        password_hash: get_s(item, "password_hash")?,
        groups: serde_json::from_str(&get_s(item, "groups")?).map_err(corrupt)?,
        created_at: Timestamp::from_millis(get_n(item, "created_at")?),
    })
}
