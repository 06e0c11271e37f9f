//! The identity provider port on a Cognito user pool: `InitiateAuth` (USER_PASSWORD_AUTH and
//! REFRESH_TOKEN_AUTH), the NEW_PASSWORD_REQUIRED challenge, and `GlobalSignOut`.

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    types::{AuthFlowType, AuthenticationResultType, ChallengeNameType},
};
use expedite_core::identity::{IdentityProvider, SessionEnd, SessionTokens, SignInError};

/// A Cognito app client without a secret, allowed USER_PASSWORD_AUTH and refresh.
#[derive(Debug, Clone)]
pub struct CognitoIdp {
    client: Client,
    client_id: String,
}

impl CognitoIdp {
    pub fn new(config: &aws_config::SdkConfig, client_id: impl Into<String>) -> Self {
        Self {
            client: crate::calls::client!(aws_sdk_cognitoidentityprovider, config),
            client_id: client_id.into(),
        }
    }
}

/// Cognito's error codes in the port's terms; nothing says whether the account exists.
fn sign_in_error<E, R>(error: SdkError<E, R>) -> SignInError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
    {
        Some("NotAuthorizedException" | "UserNotFoundException" | "UserNotConfirmedException") => {
            SignInError::InvalidCredentials
        }
        Some(
            "TooManyRequestsException"
            | "TooManyFailedAttemptsException"
            | "LimitExceededException",
        ) => SignInError::TooManyAttempts { retry_after: None },
        Some("InvalidPasswordException") => SignInError::PasswordPolicy,
        Some("CodeMismatchException" | "ExpiredCodeException") => SignInError::SessionEnded,
        _ => SignInError::Unavailable(format!(
            "{}",
            aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&error)
        )),
    }
}

fn tokens(
    result: Option<&AuthenticationResultType>,
    refresh_fallback: Option<&str>,
) -> Result<SessionTokens, SignInError> {
    let missing = || SignInError::Unavailable("Cognito returned no tokens".into());
    let result = result.ok_or_else(missing)?;
    Ok(SessionTokens {
        id_token: result.id_token().ok_or_else(missing)?.to_owned(),
        access_token: result.access_token().ok_or_else(missing)?.to_owned(),
        // REFRESH_TOKEN_AUTH keeps the refresh token unless the pool rotates it.
        refresh_token: result
            .refresh_token()
            .or(refresh_fallback)
            .ok_or_else(missing)?
            .to_owned(),
        expires_in: u64::try_from(result.expires_in()).unwrap_or(3600),
    })
}

#[async_trait]
impl IdentityProvider for CognitoIdp {
    async fn sign_in(&self, email: &str, password: &str) -> Result<SessionTokens, SignInError> {
        let output = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", email.trim())
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(sign_in_error)?;
        if output.challenge_name() == Some(&ChallengeNameType::NewPasswordRequired) {
            return Err(SignInError::NewPasswordRequired {
                session: output.session().unwrap_or_default().to_owned(),
            });
        }
        tokens(output.authentication_result(), None)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<SessionTokens, SignInError> {
        let output = self
            .client
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.client_id)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .map_err(|error| match sign_in_error(error) {
                SignInError::InvalidCredentials => SignInError::SessionEnded,
                other => other,
            })?;
        tokens(output.authentication_result(), Some(refresh_token))
    }

    async fn complete_new_password(
        &self,
        email: &str,
        new_password: &str,
        session: &str,
    ) -> Result<SessionTokens, SignInError> {
        let output = self
            .client
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", email.trim())
            .challenge_responses("NEW_PASSWORD", new_password)
            .send()
            .await
            .map_err(sign_in_error)?;
        tokens(output.authentication_result(), None)
    }

    async fn sign_out(&self, session: &SessionEnd) -> Result<(), SignInError> {
        let Some(access_token) = &session.access_token else {
            return Ok(());
        };
        match self
            .client
            .global_sign_out()
            .access_token(access_token)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => match sign_in_error(error) {
                // An expired or already revoked token: the session is over either way.
                SignInError::InvalidCredentials => Ok(()),
                other => Err(other),
            },
        }
    }
}
