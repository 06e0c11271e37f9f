//! The built-in identity provider: users in the store, argon2id passwords, Cognito-shaped
//! RS256 tokens and rotating refresh tokens (stored hashed, reuse revokes the family).

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use expedite_core::{
    clock::Clock,
    identity::{IdentityProvider, SessionEnd, SessionTokens, SignInError},
    store::{Consumed, IdentityStore, RefreshToken, StoreError},
};
use expedite_domain::{Email, Timestamp, User, UserId};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    Claims, SigningKey, StaticJwks, TokenUse, Verifier, VerifierSettings, hash_password,
    verify_password,
};

/// Passwords shorter than this are refused when users are created.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Who the provider says it is and how long its tokens live.
#[derive(Debug, Clone)]
pub struct LocalIdpSettings {
    pub issuer: String,
    pub client_id: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Stamps tokens (`iat`, `exp`, `auth_time`), refresh-token expiry and new accounts.
    pub clock: Arc<dyn Clock>,
}

/// Why authentication failed. The messages never say whether an account exists.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Incorrect email or password.")]
    InvalidCredentials,
    #[error("Your session has ended. Please sign in again.")]
    InvalidRefreshToken,
    #[error("The password must have at least {MIN_PASSWORD_CHARS} characters.")]
    WeakPassword,
    #[error("A user with this email already exists.")]
    UserExists,
    #[error("{0}")]
    InvalidEmail(#[from] expedite_domain::InvalidEmail),
    #[error("identity store: {0}")]
    Store(StoreError),
}

impl From<StoreError> for AuthError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(_) => Self::UserExists,
            other => Self::Store(other),
        }
    }
}

/// The provider. Cheap to share behind an `Arc`.
pub struct LocalIdp {
    store: Arc<dyn IdentityStore>,
    key: Arc<SigningKey>,
    settings: LocalIdpSettings,
    /// Verified against when the email is unknown, so timing does not reveal accounts;
    /// computed on first use so that start-up does not pay for it.
    decoy_hash: Arc<std::sync::OnceLock<String>>,
}

impl std::fmt::Debug for LocalIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIdp")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl LocalIdp {
    pub fn new(
        store: Arc<dyn IdentityStore>,
        key: Arc<SigningKey>,
        settings: LocalIdpSettings,
    ) -> Self {
        Self {
            store,
            key,
            settings,
            decoy_hash: Arc::default(),
        }
    }

    fn now(&self) -> Timestamp {
        self.settings.clock.now()
    }

    /// The public keys, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.key.jwk()] })
    }

    /// A verifier for this provider's tokens (no HTTP: it reads the keys in memory).
    pub fn verifier(&self) -> Verifier {
        Verifier::new(
            VerifierSettings {
                issuer: self.settings.issuer.clone(),
                client_id: self.settings.client_id.clone(),
                leeway: Duration::from_secs(30),
                min_refresh_interval: Duration::from_secs(60),
            },
            Arc::new(StaticJwks::new(self.jwks())),
        )
    }

    /// Checks the password and issues tokens in a new refresh family.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SessionTokens, AuthError> {
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(&email).await?,
            Err(_) => None,
        };
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let decoy = Arc::clone(&self.decoy_hash);
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            let hash = hash.unwrap_or_else(|| {
                decoy
                    .get_or_init(|| hash_password("decoy password that matches nothing"))
                    .clone()
            });
            verify_password(&password, &hash)
        })
        .await
        .unwrap_or(false);
        match user {
            Some(user) if matches => self.issue(&user, uuid::Uuid::new_v4().to_string()).await,
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    /// Trades a refresh token for new tokens; the old refresh token is used up.
    pub async fn refresh(&self, refresh_token: &str) -> Result<SessionTokens, AuthError> {
        match self
            .store
            .consume_refresh_token(&token_hash(refresh_token), self.now())
            .await?
        {
            Consumed::Valid(token) => {
                let user = self
                    .store
                    .user_by_id(&token.user_id)
                    .await?
                    .ok_or(AuthError::InvalidRefreshToken)?;
                self.issue(&user, token.family).await
            }
            Consumed::Reused { user_id, family } => {
                tracing::warn!(user.id = %user_id, family, "refresh token reused; family revoked");
                Err(AuthError::InvalidRefreshToken)
            }
            Consumed::Invalid => Err(AuthError::InvalidRefreshToken),
        }
    }

    /// Ends the session the refresh token belongs to (its whole family).
    pub async fn sign_out(&self, refresh_token: &str) -> Result<(), AuthError> {
        match self
            .store
            .consume_refresh_token(&token_hash(refresh_token), self.now())
            .await?
        {
            Consumed::Valid(token) => self.store.revoke_refresh_family(&token.family).await?,
            Consumed::Reused { .. } | Consumed::Invalid => {}
        }
        Ok(())
    }

    /// Whether an account with this email exists.
    /// Whether any account exists at all (a fresh install has none).
    pub async fn has_accounts(&self) -> Result<bool, AuthError> {
        Ok(!self.store.list_users().await?.is_empty())
    }

    pub async fn user_exists(&self, email: &Email) -> Result<bool, AuthError> {
        Ok(self.store.user_by_email(email).await?.is_some())
    }

    /// Replaces a user's password (found by email).
    pub async fn set_password(&self, email: &str, password: &str) -> Result<(), AuthError> {
        let email = Email::parse(email)?;
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AuthError::WeakPassword);
        }
        let user = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or(AuthError::InvalidCredentials)?;
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AuthError::Store(StoreError::Unavailable(e.to_string())))?;
        self.store.set_password_hash(&user.id, &hash).await?;
        Ok(())
    }

    /// Creates a user with a password and groups.
    pub async fn add_user(
        &self,
        email: &str,
        password: &str,
        groups: &[String],
    ) -> Result<User, AuthError> {
        let email = Email::parse(email)?;
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AuthError::WeakPassword);
        }
        let password = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AuthError::Store(StoreError::Unavailable(e.to_string())))?;
        let user = User {
            id: UserId::parse(uuid::Uuid::new_v4().to_string()).expect("a uuid is a user id"),
            email,
            password_hash,
            groups: groups.to_vec(),
            created_at: self.now(),
        };
        self.store.create_user(&user).await?;
        Ok(user)
    }

    async fn issue(&self, user: &User, family: String) -> Result<SessionTokens, AuthError> {
        let issued = self.now().as_millis() / 1000;
        let exp = issued + self.settings.access_ttl.as_secs() as i64;
        let base = Claims {
            iss: self.settings.issuer.clone(),
            sub: user.id.to_string(),
            aud: None,
            client_id: None,
            token_use: TokenUse::Access,
            groups: user.groups.clone(),
            cognito_username: None,
            username: None,
            email: None,
            exp,
            iat: issued,
            nbf: None,
            auth_time: issued,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let access = Claims {
            client_id: Some(self.settings.client_id.clone()),
            username: Some(user.email.as_str().to_owned()),
            ..base.clone()
        };
        let id = Claims {
            aud: Some(self.settings.client_id.clone()),
            token_use: TokenUse::Id,
            cognito_username: Some(user.email.as_str().to_owned()),
            email: Some(user.email.as_str().to_owned()),
            jti: uuid::Uuid::new_v4().to_string(),
            ..base
        };
        let refresh_token = random_token();
        let ttl = i64::try_from(self.settings.refresh_ttl.as_millis()).unwrap_or(i64::MAX);
        self.store
            .save_refresh_token(&RefreshToken {
                token_hash: token_hash(&refresh_token),
                user_id: user.id.clone(),
                family,
                expires_at: self.now().plus_millis(ttl),
            })
            .await?;
        Ok(SessionTokens {
            id_token: self.key.sign(&id),
            access_token: self.key.sign(&access),
            refresh_token,
            expires_in: self.settings.access_ttl.as_secs(),
        })
    }
}

/// 256 random bits, base64url.
fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are stored as their SHA-256, so a leaked table grants nothing.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[async_trait::async_trait]
impl IdentityProvider for LocalIdp {
    async fn sign_in(&self, email: &str, password: &str) -> Result<SessionTokens, SignInError> {
        LocalIdp::sign_in(self, email, password)
            .await
            .map_err(sign_in_error)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<SessionTokens, SignInError> {
        LocalIdp::refresh(self, refresh_token)
            .await
            .map_err(sign_in_error)
    }

    /// The built-in provider never issues temporary passwords, so there is no challenge.
    async fn complete_new_password(
        &self,
        _email: &str,
        _new_password: &str,
        _session: &str,
    ) -> Result<SessionTokens, SignInError> {
        Err(SignInError::SessionEnded)
    }

    async fn sign_out(&self, session: &SessionEnd) -> Result<(), SignInError> {
        match &session.refresh_token {
            Some(token) => LocalIdp::sign_out(self, token).await.map_err(sign_in_error),
            None => Ok(()),
        }
    }
}

fn sign_in_error(error: AuthError) -> SignInError {
    match error {
        AuthError::InvalidCredentials | AuthError::InvalidEmail(_) => {
            SignInError::InvalidCredentials
        }
        AuthError::InvalidRefreshToken => SignInError::SessionEnded,
        other => SignInError::Unavailable(other.to_string()),
    }
}
