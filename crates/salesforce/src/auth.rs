//! OAuth 2.0 token requests for the three server-to-server flows Salesforce offers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::{
    SalesforceError,
    config::{AuthFlow, SalesforceConfig, Secret},
};

/// How long a JWT bearer assertion is valid; Salesforce allows at most a few minutes.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(180);

/// An access token and the org instance it is valid for.
#[derive(Debug)]
pub(crate) struct Token {
    pub(crate) access_token: Secret,
    /// `https://<my-domain>.my.salesforce.com`, without a trailing slash.
    pub(crate) instance_url: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
}

/// The form fields of the token request for `config`'s flow.
pub(crate) fn token_form(
    config: &SalesforceConfig,
) -> Result<Vec<(&'static str, String)>, SalesforceError> {
    Ok(match &config.auth {
        AuthFlow::ClientCredentials {
            client_id,
            client_secret,
        } => vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.expose().to_owned()),
        ],
        AuthFlow::JwtBearer {
            client_id,
            username,
            private_key_pem,
        } => vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
            ),
            (
                "assertion",
                jwt_assertion(client_id, username, &config.login_url, private_key_pem)?,
            ),
        ],
        AuthFlow::Password {
            client_id,
            client_secret,
            username,
            password,
        } => vec![
            ("grant_type", "password".into()),
            ("client_id", client_id.clone()),
            ("client_secret", client_secret.expose().to_owned()),
            ("username", username.clone()),
            ("password", password.expose().to_owned()),
        ],
    })
}

/// An RS256 assertion: `iss` = consumer key, `sub` = username, `aud` = login host, short `exp`.
pub(crate) fn jwt_assertion(
    client_id: &str,
    username: &str,
    audience: &str,
    private_key_pem: &Secret,
) -> Result<String, SalesforceError> {
    let key = EncodingKey::from_rsa_pem(private_key_pem.expose().as_bytes())
        .map_err(|e| SalesforceError::Config(format!("the JWT signing key is unusable: {e}")))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let claims = AssertionClaims {
        iss: client_id,
        sub: username,
        aud: audience,
        exp: (now + ASSERTION_LIFETIME).as_secs(),
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key)
        .map_err(|e| SalesforceError::Config(format!("cannot sign the JWT assertion: {e}")))
}

/// Posts the token request once; the caller retries transient failures.
pub(crate) async fn request_token(
    http: &reqwest::Client,
    config: &SalesforceConfig,
) -> Result<Token, SalesforceError> {
    let form = token_form(config)?;
    let response = http
        .post(format!("{}/services/oauth2/token", config.login_url))
        .form(&form)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.text().await?;
    if !(200..300).contains(&status) {
        return Err(SalesforceError::from_response(status, &body));
    }
    let token: TokenResponse = serde_json::from_str(&body)
        .map_err(|e| SalesforceError::Decode(format!("token response: {e}")))?;
    Ok(Token {
        access_token: Secret::new(token.access_token),
        instance_url: token.instance_url.trim_end_matches('/').to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flow_sends_its_grant() {
        let mut config = SalesforceConfig::new(AuthFlow::ClientCredentials {
            client_id: "cid".into(),
            client_secret: Secret::new("shh"),
        });
        let form = token_form(&config).unwrap();
        assert_eq!(form[0], ("grant_type", "client_credentials".into()));
        config.auth = AuthFlow::Password {
            client_id: "cid".into(),
            client_secret: Secret::new("shh"),
            username: "u@example.com".into(),
            password: Secret::new("pw"),
        };
        let form = token_form(&config).unwrap();
        assert_eq!(form[0], ("grant_type", "password".into()));
        assert!(form.contains(&("username", "u@example.com".into())));
        config.auth = AuthFlow::JwtBearer {
            client_id: "cid".into(),
            username: "u@example.com".into(),
            private_key_pem: Secret::new("not a key"),
        };
        assert!(matches!(
            token_form(&config),
            Err(SalesforceError::Config(_))
        ));
    }
}
