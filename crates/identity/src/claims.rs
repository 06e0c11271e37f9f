//! The claims Cognito puts in id and access tokens; the built-in provider issues the same.

use serde::{Deserialize, Serialize};

/// Which kind of token: id tokens identify the user to the client, access tokens authorise
/// API calls. Routes accept exactly one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    Id,
    Access,
}

/// A token's payload. Optional fields are those only one kind of token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    /// Id tokens: the app client id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aud: Option<String>,
    /// Access tokens: the app client id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_id: Option<String>,
    pub token_use: TokenUse,
    #[serde(
        rename = "cognito:groups",
        skip_serializing_if = "Vec::is_empty",
        default
    )]
    pub groups: Vec<String>,
    /// Id tokens name the user `cognito:username`, access tokens `username`.
    #[serde(
        rename = "cognito:username",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub cognito_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email: Option<String>,
    pub exp: i64,
    pub iat: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nbf: Option<i64>,
    pub auth_time: i64,
    pub jti: String,
}
