//! The `authorizer` binary: verifies `/api` requests for API Gateway, as a Lambda function.

use anyhow::{Context, bail};
use expedite_core::{Config, IdentityBackend};
use expedite_identity::Verifier;
use expedite_runtime::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("reading configuration")?;
    telemetry::init(config.log_format);
    let IdentityBackend::Cognito { issuer, jwks_url } = &config.identity else {
        bail!(
            "the authorizer verifies Cognito access tokens: set EXPEDITE_IDENTITY=cognito, \
             EXPEDITE_COGNITO_ISSUER and EXPEDITE_CLIENT_ID"
        );
    };
    // The configuration defaults the client id for the built-in provider; a user pool's app
    // client id is never that default, so a missing one would refuse every token silently.
    if std::env::var_os("EXPEDITE_CLIENT_ID").is_none_or(|id| id.is_empty()) {
        bail!("EXPEDITE_CLIENT_ID: required by the authorizer (the user pool's app client id)");
    }
    let verifier = Verifier::for_cognito(issuer, jwks_url, &config.client_id);
    tracing::info!(issuer = %issuer, jwks = %jwks_url, "authorizer ready");
    authorizer::lambda::run(verifier)
        .await
        .map_err(|error| anyhow::anyhow!(error))
}
