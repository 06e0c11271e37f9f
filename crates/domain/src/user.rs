//! Users of the built-in identity provider and the roles Expedite derives from groups.

use serde::{Deserialize, Serialize};

use crate::{Timestamp, UserId};

/// The group whose members are administrators (Cognito's `cognito:groups` claim).
pub const ADMINS_GROUP: &str = "admins";

/// What a signed-in user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Admin,
    User,
}

impl Role {
    /// Admin exactly when `admins` is among the groups (case and spacing must match).
    pub fn from_groups<S: AsRef<str>>(groups: &[S]) -> Self {
        if groups.iter().any(|g| g.as_ref() == ADMINS_GROUP) {
            Self::Admin
        } else {
            Self::User
        }
    }
}

/// The signed-in user as the UI and `GET /api/me` show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user_id: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email: Option<String>,
    pub groups: Vec<String>,
    pub role: Role,
}

/// An account as administrators see it in the user list (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub user_id: UserId,
    pub email: Email,
    pub groups: Vec<String>,
    pub role: Role,
    pub created_at: Timestamp,
}

impl From<&User> for UserSummary {
    fn from(user: &User) -> Self {
        Self {
            user_id: user.id.clone(),
            email: user.email.clone(),
            groups: user.groups.clone(),
            role: Role::from_groups(&user.groups),
            created_at: user.created_at,
        }
    }
}

/// An email address, trimmed and lowercased; a plausible `local@domain` of at most 254 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = "email"))]
pub struct Email(String);

/// An address that cannot be an email.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter a valid email address.")]
pub struct InvalidEmail;

impl Email {
    pub fn parse(text: impl AsRef<str>) -> Result<Self, InvalidEmail> {
        let email = text.as_ref().trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(InvalidEmail)?;
        let valid = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && email.len() <= 254
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && local.chars().all(|c| c.is_ascii_graphic() && c != '@');
        if valid {
            Ok(Self(email))
        } else {
            Err(InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, InvalidEmail> {
        Self::parse(value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

/// A user of the built-in identity provider. The password hash never leaves the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    /// An argon2id PHC string.
    pub password_hash: String,
    pub groups: Vec<String>,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Alice@Example.COM ").unwrap().as_str(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "alice@exa mple.com",
            "alice@@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_the_exact_admins_group_makes_an_admin() {
        assert_eq!(Role::from_groups(&["users", "admins"]), Role::Admin);
        for groups in [
            vec![],
            vec!["Admins"],
            vec![" admins"],
            vec!["admins "],
            vec!["administrators"],
        ] {
            assert_eq!(Role::from_groups(&groups), Role::User, "{groups:?}");
        }
    }
}
