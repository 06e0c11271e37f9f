//! Users and refresh tokens of the built-in identity provider.

use async_trait::async_trait;
use expedite_core::store::{Consumed, IdentityStore, RefreshToken, StoreError};
use expedite_domain::{Email, Timestamp, User, UserId};
use sqlx::{Row, sqlite::SqliteRow};

use super::{SqliteStore, corrupt, unavailable};

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let groups = serde_json::to_string(&user.groups).map_err(corrupt)?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, password_hash, groups_json, created_at_ms)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(user.id.as_str())
        .bind(user.email.as_str())
        .bind(&user.password_hash)
        .bind(groups)
        .bind(user.created_at.as_millis())
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "user {}",
                user.email.as_str()
            )));
        }
        Ok(())
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        sqlx::query("SELECT * FROM users WHERE email = ?")
            .bind(email.as_str())
            .fetch_optional(self.db.pool())
            .await
            .map_err(unavailable)?
            .map(|row| read_user(&row))
            .transpose()
    }

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(self.db.pool())
            .await
            .map_err(unavailable)?
            .map(|row| read_user(&row))
            .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        sqlx::query("SELECT * FROM users ORDER BY email")
            .fetch_all(self.db.pool())
            .await
            .map_err(unavailable)?
            .iter()
            .map(read_user)
            .collect()
    }

    async fn set_user_groups(&self, id: &UserId, groups: &[String]) -> Result<bool, StoreError> {
        let groups = serde_json::to_string(groups).map_err(corrupt)?;
        let updated = sqlx::query("UPDATE users SET groups_json = ? WHERE id = ?")
            .bind(groups)
            .bind(id.as_str())
            .execute(self.db.pool())
            .await
            .map_err(unavailable)?;
        Ok(updated.rows_affected() == 1)
    }

    async fn set_password_hash(&self, id: &UserId, hash: &str) -> Result<bool, StoreError> {
        let updated = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(id.as_str())
            .execute(self.db.pool())
            .await
            .map_err(unavailable)?;
        Ok(updated.rows_affected() == 1)
    }

    async fn save_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        // A token saved into an already revoked family is born revoked.
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, user_id, family, expires_at_ms, revoked)
             VALUES (?, ?, ?, ?, EXISTS (SELECT 1 FROM refresh_tokens WHERE family = ? AND revoked = 1))",
        )
        .bind(&token.token_hash)
        .bind(token.user_id.as_str())
        .bind(&token.family)
        .bind(token.expires_at.as_millis())
        .bind(&token.family)
        .execute(self.db.pool())
        .await
        .map_err(unavailable)?;
        Ok(())
    }

    async fn consume_refresh_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Consumed, StoreError> {
        let used = sqlx::query(
            "UPDATE refresh_tokens SET used = 1
             WHERE token_hash = ? AND used = 0 AND revoked = 0 AND expires_at_ms > ?
             RETURNING user_id, family, expires_at_ms",
        )
        .bind(token_hash)
        .bind(now.as_millis())
        .fetch_optional(self.db.pool())
        .await
        .map_err(unavailable)?;
        if let Some(row) = used {
            return Ok(Consumed::Valid(RefreshToken {
                token_hash: token_hash.to_owned(),
                user_id: UserId::parse(row.get::<String, _>("user_id")).map_err(corrupt)?,
                family: row.get("family"),
                expires_at: Timestamp::from_millis(row.get("expires_at_ms")),
            }));
        }
        let known = sqlx::query(
            "SELECT user_id, family, used, revoked FROM refresh_tokens WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(self.db.pool())
        .await
        .map_err(unavailable)?;
        match known {
            Some(row) if row.get::<bool, _>("used") && !row.get::<bool, _>("revoked") => {
                let family: String = row.get("family");
                self.revoke_refresh_family(&family).await?;
                Ok(Consumed::Reused {
                    user_id: UserId::parse(row.get::<String, _>("user_id")).map_err(corrupt)?,
                    family,
                })
            }
            _ => Ok(Consumed::Invalid),
        }
    }

    async fn revoke_refresh_family(&self, family: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE family = ?")
            .bind(family)
            .execute(self.db.pool())
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

fn read_user(row: &SqliteRow) -> Result<User, StoreError> {
    let groups: String = row.get("groups_json");
    Ok(User {
        id: UserId::parse(row.get::<String, _>("id")).map_err(corrupt)?,
        email: Email::parse(row.get::<String, _>("email")).map_err(corrupt)?,
        password_hash: row.get("password_hash"),
        groups: serde_json::from_str(&groups).map_err(corrupt)?,
        created_at: Timestamp::from_millis(row.get("created_at_ms")),
    })
}
