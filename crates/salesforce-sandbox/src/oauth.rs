//! Signing in: `POST /services/oauth2/token` (client credentials, JWT bearer, password) and
//! the SOAP `login` call older clients use. Every success opens a session on the sandbox clock.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::Rng as _;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::errors::OAuthError;
use crate::soap;
use crate::state::{Shared, lock, millis, wall_clock};
use crate::store::SANDBOX_USER_ID;

/// The sandbox org's id.
pub(crate) const ORG_ID: &str = "00DDn0000000001MAA";
/// The longest a JWT assertion may still be valid for, as Salesforce wants them short-lived.
const MAX_ASSERTION_LIFETIME_S: i64 = 5 * 60;

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
    id: String,
    token_type: &'static str,
    issued_at: String,
    signature: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    /// simple-salesforce sends `exp` as a string of digits; Salesforce accepts both.
    exp: serde_json::Value,
}

/// `POST /services/oauth2/token`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return OAuthError::new(
            "invalid_request",
            "the request must be application/x-www-form-urlencoded",
        )
        .into_response();
    };
    match grant(&shared, &headers, &form) {
        Ok(()) => Json(issue(&shared)).into_response(),
        Err(error) => error.into_response(),
    }
}

fn grant(
    shared: &Shared,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(), OAuthError> {
    let config = &shared.config;
    let field = |name: &str| form.get(name).map(String::as_str);
    match field("grant_type") {
        Some("client_credentials") => {
            let (id, secret) = match basic_credentials(headers) {
                Some(pair) => pair,
                None => (
                    field("client_id").unwrap_or_default().to_owned(),
                    field("client_secret").unwrap_or_default().to_owned(),
                ),
            };
            check_client(shared, &id, Some(&secret))
        }
        Some("password") => {
            check_client(
                shared,
                field("client_id").unwrap_or_default(),
                field("client_secret"),
            )?;
            let (username, password) = (field("username"), field("password"));
            if username == Some(config.username.as_str())
                && password == Some(config.password.as_str())
            {
                Ok(())
            } else {
                Err(OAuthError::new("invalid_grant", "authentication failure"))
            }
        }
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            let assertion = field("assertion")
                .ok_or(OAuthError::new("invalid_request", "assertion is required"))?;
            check_assertion(shared, assertion)
        }
        Some(_) | None => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant type not supported",
        )),
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn check_client(shared: &Shared, id: &str, secret: Option<&str>) -> Result<(), OAuthError> {
    if id != shared.config.client_id {
        return Err(OAuthError::new(
            "invalid_client_id",
            "client identifier invalid",
        ));
    }
    match secret {
        Some(secret) if secret == shared.config.client_secret => Ok(()),
        _ => Err(OAuthError::new(
            "invalid_client",
            "invalid client credentials",
        )),
    }
}

fn check_assertion(shared: &Shared, assertion: &str) -> Result<(), OAuthError> {
    let invalid = OAuthError::new("invalid_grant", "invalid assertion");
    let pem = shared
        .config
        .jwt_public_key_pem
        .as_deref()
        .ok_or(invalid.clone())?;
    let key = DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| invalid.clone())?;
    // Claims are checked below: `exp` may be a string, and the audience has several forms.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(assertion, &key, &validation)
        .map_err(|_| invalid.clone())?
        .claims;
    if claims.iss != shared.config.client_id {
        return Err(OAuthError::new(
            "invalid_client_id",
            "client identifier invalid",
        ));
    }
    if claims.sub != shared.config.username {
        return Err(OAuthError::new(
            "invalid_grant",
            "user hasn't approved this consumer",
        ));
    }
    let audiences = [
        shared.base_url.as_str(),
        "https://login.salesforce.com",
        "https://test.salesforce.com",
    ];
    let audience_ok = match &claims.aud {
        serde_json::Value::String(aud) => audiences.contains(&aud.trim_end_matches('/')),
        serde_json::Value::Array(list) => list
            .iter()
            .filter_map(serde_json::Value::as_str)
            .any(|aud| audiences.contains(&aud.trim_end_matches('/'))),
        _ => false,
    };
    if !audience_ok {
        return Err(OAuthError::new("invalid_grant", "audience is invalid"));
    }
    let exp = match &claims.exp {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    }
    .ok_or(invalid)?;
    let now_s = wall_clock().as_millis() / 1000;
    if exp <= now_s {
        return Err(OAuthError::new(
            "invalid_grant",
            "expired authorization code",
        ));
    }
    if exp > now_s + MAX_ASSERTION_LIFETIME_S {
        return Err(OAuthError::new(
            "invalid_grant",
            "the assertion expires too far in the future",
        ));
    }
    Ok(())
}

/// Opens a session and describes it as Salesforce's token response.
fn issue(shared: &Shared) -> TokenResponse {
    let access_token = open_session(shared);
    let issued_at = shared.clock.now().as_millis().to_string();
    let id = format!("{}/id/{ORG_ID}/{SANDBOX_USER_ID}", shared.base_url);
    let signature = STANDARD.encode(hmac_sha256(
        shared.config.client_secret.as_bytes(),
        format!("{id}{issued_at}").as_bytes(),
    ));
    TokenResponse {
        access_token,
        instance_url: shared.base_url.clone(),
        id,
        token_type: "Bearer",
        issued_at,
        signature,
    }
}

/// A new session id in Salesforce's form (`<org id>!<secret>`), valid for the configured TTL.
pub(crate) fn open_session(shared: &Shared) -> String {
    let secret: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(96)
        .map(char::from)
        .collect();
    let token = format!("{}!{secret}", &ORG_ID[..15]);
    let expires = shared
        .clock
        .now()
        .plus_millis(millis(shared.config.session_ttl));
    lock(&shared.sessions).insert(token.clone(), expires);
    token
}

/// HMAC-SHA256 (RFC 2104), the token response's `signature`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// `POST /services/Soap/u/{version}`: the partner API `login` call.
pub(crate) async fn soap_login(State(shared): State<Arc<Shared>>, body: String) -> Response {
    let username = soap::element_text(&body, "username");
    let password = soap::element_text(&body, "password");
    let config = &shared.config;
    if username.as_deref() != Some(config.username.as_str())
        || password.as_deref() != Some(config.password.as_str())
    {
        return soap::response(StatusCode::INTERNAL_SERVER_ERROR, soap::login_fault());
    }
    let session = open_session(&shared);
    let version = config.api_version.as_str();
    let ttl_s = shared.config.session_ttl.as_secs();
    soap::response(
        StatusCode::OK,
        soap::login_result(&shared.base_url, version, &session, ttl_s, &config.username),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
