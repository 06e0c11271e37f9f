//! Authentication at the edge: every request's credentials (a Bearer header or the session
//! cookie) are verified once by [`authenticate`], and handlers take [`SignedIn`] or [`Admin`].

mod extract;
mod middleware;
mod routes;

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use expedite_aws::{AwsSettings, CognitoIdp};
use expedite_core::{Config, IdentityBackend, identity::IdentityProvider, store::IdentityStore};
use expedite_identity::{LocalIdp, LocalIdpSettings, SigningKey, Verifier};

pub use extract::{Admin, SignedIn};
pub use middleware::authenticate;
pub(crate) use routes::router;

/// The verifier for the configured issuer and, self-hosted, the built-in provider.
pub struct Auth {
    pub verifier: Verifier,
    /// The built-in provider, when it is the issuer (its JWKS and account management).
    pub local: Option<Arc<LocalIdp>>,
    /// Who people sign in with: the built-in provider or Cognito.
    provider: Arc<dyn IdentityProvider>,
    /// Cookies get `Secure` when the deployment is served over TLS.
    pub secure_cookies: bool,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("verifier", &self.verifier)
            .field("local", &self.local.is_some())
            .finish()
    }
}

impl Auth {
    /// Builds the identity side from configuration; the built-in provider's key lives in the
    /// data directory (created on first start, mode 0600).
    pub async fn from_config(
        config: &Config,
        accounts: Option<&Arc<dyn IdentityStore>>,
    ) -> anyhow::Result<Arc<Self>> {
        let secure_cookies = config.serves_tls();
        let auth = match &config.identity {
            IdentityBackend::Local => {
                let store = accounts.context(
                    "the built-in identity provider keeps its accounts in the embedded store",
                )?;
                let path = config.data_dir.join("jwt-signing-key.pem");
                let key = SigningKey::load_or_create(&path)
                    .with_context(|| format!("loading the signing key {}", path.display()))?;
                let local = LocalIdp::new(
                    Arc::clone(store),
                    Arc::new(key),
                    LocalIdpSettings {
                        issuer: config.public_url.clone(),
                        client_id: config.client_id.clone(),
                        access_ttl: Duration::from_secs(3600),
                        refresh_ttl: Duration::from_secs(30 * 24 * 3600),
                        clock: expedite_core::clock::system(),
                    },
                );
                let local = Arc::new(local);
                Self {
                    verifier: local.verifier(),
                    provider: Arc::clone(&local) as Arc<dyn IdentityProvider>,
                    local: Some(local),
                    secure_cookies,
                }
            }
            IdentityBackend::Cognito { issuer, jwks_url } => Self {
                verifier: Verifier::for_cognito(issuer, jwks_url, &config.client_id),
                local: None,
                // The SDK reads region and credentials from its usual settings.
                provider: Arc::new(CognitoIdp::new(
                    &expedite_aws::load_config(&AwsSettings::default()).await,
                    config.client_id.clone(),
                )),
                secure_cookies,
            },
        };
        Ok(Arc::new(auth))
    }

    /// The provider people sign in with, as the use-cases hold it.
    pub fn provider(&self) -> Arc<dyn IdentityProvider> {
        Arc::clone(&self.provider)
    }
}
