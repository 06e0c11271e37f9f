//! The one JWT verifier for both issuers.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use expedite_core::identity::Caller;
use expedite_domain::{Role, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::Value;

use crate::{Claims, TokenUse, verified::VerifiedCache};

/// Tokens larger than this are refused before any parsing.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Header parameters that would let a token choose its own key: never honoured, always refused.
const KEY_CHOOSING_HEADERS: [&str; 4] = ["jku", "x5u", "jwk", "x5c"];

/// What the verifier trusts.
#[derive(Debug, Clone)]
pub struct VerifierSettings {
    /// The exact `iss` (Cognito: `https://cognito-idp.<region>.amazonaws.com/<pool id>`).
    pub issuer: String,
    /// The app client id: `aud` of id tokens, `client_id` of access tokens.
    pub client_id: String,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`; at most 60 s.
    pub leeway: Duration,
    /// An unknown `kid` refetches the JWKS at most once per this interval.
    pub min_refresh_interval: Duration,
}

/// Where the verifier gets the issuer's public keys (a JWK set as JSON).
#[async_trait]
pub trait JwksSource: Send + Sync {
    async fn fetch(&self) -> Result<Value, String>;
}

/// A JWKS held in memory (the built-in provider's own keys; tests rotate it with [`Self::set`]).
#[derive(Debug, Default)]
pub struct StaticJwks(RwLock<Value>);

impl StaticJwks {
    pub fn new(jwks: Value) -> Self {
        Self(RwLock::new(jwks))
    }

    pub fn set(&self, jwks: Value) {
        *self.0.write().expect("jwks lock") = jwks;
    }
}

#[async_trait]
impl JwksSource for StaticJwks {
    async fn fetch(&self) -> Result<Value, String> {
        Ok(self.0.read().expect("jwks lock").clone())
    }
}

/// A JWKS served over HTTP (Cognito's `/.well-known/jwks.json`; moto serves it on 127.0.0.1).
#[derive(Debug, Clone)]
pub struct HttpJwks {
    url: String,
    client: reqwest::Client,
}

impl HttpJwks {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("an HTTP client with a timeout builds"),
        }
    }
}

#[async_trait]
impl JwksSource for HttpJwks {
    async fn fetch(&self) -> Result<Value, String> {
        let response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("JWKS answered {}", response.status()));
        }
        response.json().await.map_err(|e| e.to_string())
    }
}

/// Why a token was refused. Every variant means 401 at the edge; the variant is for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("algorithm not allowed")]
    UnsupportedAlgorithm,
    #[error("header parameter not allowed: {0}")]
    ForbiddenHeader(String),
    #[error("no key with this kid")]
    UnknownKey,
    #[error("signature does not verify")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("token not valid yet")]
    NotYetValid,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("wrong audience or client")]
    WrongAudience,
    #[error("wrong token_use")]
    WrongTokenUse,
    #[error("invalid claims: {0}")]
    InvalidClaims(String),
    #[error("issuer keys unavailable: {0}")]
    JwksUnavailable(String),
}

/// Verifies RS256 tokens of one issuer and client against its JWKS.
pub struct Verifier {
    settings: VerifierSettings,
    source: Arc<dyn JwksSource>,
    keys: RwLock<HashMap<String, DecodingKey>>,
    last_refresh: tokio::sync::Mutex<Option<Instant>>,
    verified: VerifiedCache,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    pub fn new(mut settings: VerifierSettings, source: Arc<dyn JwksSource>) -> Self {
        settings.leeway = settings.leeway.min(Duration::from_secs(60));
        Self {
            settings,
            source,
            keys: RwLock::new(HashMap::new()),
            last_refresh: tokio::sync::Mutex::new(None),
            verified: VerifiedCache::default(),
        }
    }

    /// The verifier of a Cognito user pool's tokens: issued by `issuer` for the app client
    /// `client_id`, keys fetched from `jwks_url` (configured apart from the issuer: emulators
    /// serve it elsewhere), 60 s leeway, an unknown `kid` refetched at most once a minute. The
    /// server and the API Gateway authorizer both build theirs here, so they agree.
    pub fn for_cognito(
        issuer: impl Into<String>,
        jwks_url: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        Self::new(
            VerifierSettings {
                issuer: issuer.into(),
                client_id: client_id.into(),
                leeway: Duration::from_secs(60),
                min_refresh_interval: Duration::from_secs(60),
            },
            Arc::new(HttpJwks::new(jwks_url)),
        )
    }

    pub fn settings(&self) -> &VerifierSettings {
        &self.settings
    }

    /// Verifies `token` as a token of kind `expected` and returns who it speaks for.
    pub async fn verify(&self, token: &str, expected: TokenUse) -> Result<Caller, VerifyError> {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        if let Some(caller) = self.verified.get(token, expected, now) {
            return Ok(caller);
        }
        let kid = check_shape_and_header(token)?;
        let key = self.key(&kid).await?;
        let claims = self.decode(token, &key, expected)?;
        let expires_at = claims.exp;
        let caller = caller(claims)?;
        self.verified
            .insert(token, expected, expires_at, &caller, now);
        Ok(caller)
    }

    fn decode(
        &self,
        token: &str,
        key: &DecodingKey,
        expected: TokenUse,
    ) -> Result<Claims, VerifyError> {
        let leeway = self.settings.leeway.as_secs();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = leeway;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[self.settings.issuer.as_str()]);
        match expected {
            TokenUse::Id => {
                // Without "aud" among the required claims an absent aud would pass.
                validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
                validation.set_audience(&[self.settings.client_id.as_str()]);
            }
            TokenUse::Access => {
                validation.set_required_spec_claims(&["exp", "iss", "sub"]);
                validation.validate_aud = false;
            }
        }
        let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => VerifyError::Expired,
                ErrorKind::ImmatureSignature => VerifyError::NotYetValid,
                ErrorKind::InvalidIssuer => VerifyError::WrongIssuer,
                ErrorKind::InvalidAudience => VerifyError::WrongAudience,
                ErrorKind::InvalidSignature => VerifyError::BadSignature,
                ErrorKind::InvalidAlgorithm => VerifyError::UnsupportedAlgorithm,
                ErrorKind::MissingRequiredClaim(claim) => {
                    VerifyError::InvalidClaims(format!("missing {claim}"))
                }
                ErrorKind::Json(e) => VerifyError::InvalidClaims(e.to_string()),
                _ => VerifyError::Malformed("undecodable"),
            })?
            .claims;

        let now = jsonwebtoken::get_current_timestamp() as i64;
        if claims.iat > now + leeway as i64 {
            return Err(VerifyError::NotYetValid);
        }
        if claims.token_use != expected {
            return Err(VerifyError::WrongTokenUse);
        }
        if expected == TokenUse::Access
            && claims.client_id.as_deref() != Some(self.settings.client_id.as_str())
        {
            return Err(VerifyError::WrongAudience);
        }
        Ok(claims)
    }

    /// The key for `kid`, refetching the JWKS once (rate-limited) when it is unknown.
    async fn key(&self, kid: &str) -> Result<DecodingKey, VerifyError> {
        if let Some(key) = self.keys.read().expect("keys lock").get(kid) {
            return Ok(key.clone());
        }
        let mut last = self.last_refresh.lock().await;
        // Another request may have refreshed while this one waited for the lock.
        if let Some(key) = self.keys.read().expect("keys lock").get(kid) {
            return Ok(key.clone());
        }
        let due = last.is_none_or(|at| at.elapsed() >= self.settings.min_refresh_interval);
        if !due {
            return Err(VerifyError::UnknownKey);
        }
        *last = Some(Instant::now());
        let jwks = self
            .source
            .fetch()
            .await
            .map_err(VerifyError::JwksUnavailable)?;
        let fresh = usable_keys(&jwks);
        tracing::info!(keys = fresh.len(), "refreshed the issuer's signing keys");
        let found = fresh.get(kid).cloned();
        *self.keys.write().expect("keys lock") = fresh;
        // Tokens verified with a key that is gone must be checked again.
        self.verified.clear();
        found.ok_or(VerifyError::UnknownKey)
    }
}

/// Checks the token's shape and header; returns its `kid`.
fn check_shape_and_header(token: &str) -> Result<String, VerifyError> {
    if token.is_empty() {
        return Err(VerifyError::Malformed("empty"));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(VerifyError::Malformed("too long"));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|part| part.is_empty()) {
        return Err(VerifyError::Malformed("not three non-empty segments"));
    }
    let header = URL_SAFE_NO_PAD
        .decode(parts[0])
        .map_err(|_| VerifyError::Malformed("header is not base64url"))?;
    let header: serde_json::Map<String, Value> = serde_json::from_slice(&header)
        .map_err(|_| VerifyError::Malformed("header is not JSON"))?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(VerifyError::UnsupportedAlgorithm);
    }
    if let Some(name) = KEY_CHOOSING_HEADERS
        .iter()
        .find(|name| header.contains_key(**name))
    {
        return Err(VerifyError::ForbiddenHeader((*name).to_owned()));
    }
    if header.contains_key("crit") {
        return Err(VerifyError::ForbiddenHeader("crit".to_owned()));
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(VerifyError::Malformed("no kid"))?;
    let plausible = !kid.is_empty()
        && kid.len() <= 128
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=+/.".contains(&b));
    if !plausible {
        return Err(VerifyError::Malformed("implausible kid"));
    }
    Ok(kid.to_owned())
}

/// The RSA signing keys of a JWK set; keys for other uses or algorithms are left out.
fn usable_keys(jwks: &Value) -> HashMap<String, DecodingKey> {
    let mut keys = HashMap::new();
    for jwk in jwks["keys"].as_array().into_iter().flatten() {
        let field = |name: &str| jwk.get(name).and_then(Value::as_str);
        let usable = field("kty") == Some("RSA")
            && field("use").is_none_or(|u| u == "sig")
            && field("alg").is_none_or(|a| a == "RS256");
        if !usable {
            continue;
        }
        if let (Some(kid), Some(n), Some(e)) = (field("kid"), field("n"), field("e"))
            && let Ok(key) = DecodingKey::from_rsa_components(n, e)
        {
            keys.insert(kid.to_owned(), key);
        }
    }
    keys
}

fn caller(claims: Claims) -> Result<Caller, VerifyError> {
    let user_id =
        UserId::parse(claims.sub.clone()).map_err(|_| VerifyError::InvalidClaims("sub".into()))?;
    let username = claims
        .cognito_username
        .or(claims.username)
        .unwrap_or_else(|| claims.sub.clone());
    Ok(Caller {
        user_id,
        username,
        email: claims.email,
        role: Role::from_groups(&claims.groups),
        groups: claims.groups,
    })
}
