//! The identity provider port: signing in with a password, refreshing and ending sessions.
//! The built-in provider implements it self-hosted; Cognito on AWS.

use async_trait::async_trait;
use expedite_domain::{Me, Role, UserId};
use serde::Serialize;

/// An authenticated caller, as verified from their access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub groups: Vec<String>,
    pub role: Role,
}

impl Caller {
    /// Whether the caller is an administrator (member of the `admins` group).
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Administrators only: [`AccessError::Forbidden`](crate::AccessError) for everyone else.
    /// The one check behind admin routes, pages and use-cases.
    pub fn require_admin(&self) -> Result<(), crate::AccessError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(crate::AccessError::Forbidden)
        }
    }

    /// What the caller may know about themselves.
    pub fn me(&self) -> Me {
        Me {
            user_id: self.user_id.to_string(),
            username: self.username.clone(),
            email: self.email.clone(),
            groups: self.groups.clone(),
            role: self.role,
        }
    }
}

/// What the edge found for one request, kept in its extensions for handlers and server
/// functions: the caller, or `None` when signed out.
#[derive(Debug, Clone, Default)]
pub struct Authenticated(pub Option<Caller>);

/// Who the edge says the client is (the configured client key: the TCP peer, the rightmost
/// `X-Forwarded-For` hop or API Gateway's source IP), kept in the request's extensions so the
/// sign-in limits can tell one address from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// Name of the cookie that carries the access token.
pub const ACCESS_COOKIE: &str = "expedite_access";
/// Name of the cookie that carries the refresh token.
pub const REFRESH_COOKIE: &str = "expedite_refresh";
/// How long the refresh cookie lives.
pub const REFRESH_COOKIE_MAX_AGE_SECS: u64 = 30 * 24 * 3600;

/// What a successful sign-in or refresh returns (Cognito's `AuthenticationResult`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionTokens {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Why a sign-in or refresh did not produce tokens. Messages never reveal whether an
/// account exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("Incorrect email or password.")]
    InvalidCredentials,
    #[error("Your session has ended. Please sign in again.")]
    SessionEnded,
    /// Sign-in attempts over a limit: ours say how long to wait (`Retry-After`), the identity
    /// provider's own throttling may not.
    #[error("Too many attempts. Please wait a moment and try again.")]
    TooManyAttempts {
        retry_after: Option<std::time::Duration>,
    },
    /// The account has a temporary password: finish with [`IdentityProvider::complete_new_password`].
    #[error("Choose a new password to finish signing in.")]
    NewPasswordRequired { session: String },
    #[error("The new password does not meet the password policy.")]
    PasswordPolicy,
    #[error("Sign-in is temporarily unavailable. Please try again shortly.")]
    Unavailable(String),
}

impl SignInError {
    /// Whole seconds to wait before trying again (`Retry-After`), when a limit of ours said.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManyAttempts {
                retry_after: Some(wait),
            } => Some((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)),
            _ => None,
        }
    }
}

/// A provider of sessions for people signing in with an email and a password.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    async fn sign_in(&self, email: &str, password: &str) -> Result<SessionTokens, SignInError>;

    /// Trades a refresh token for new tokens (the old one is used up).
    async fn refresh(&self, refresh_token: &str) -> Result<SessionTokens, SignInError>;

    /// Answers the new-password challenge of an account with a temporary password.
    async fn complete_new_password(
        &self,
        email: &str,
        new_password: &str,
        session: &str,
    ) -> Result<SessionTokens, SignInError>;

    /// Ends the session: the built-in provider revokes the refresh token's family, Cognito
    /// signs the user out everywhere with the access token.
    async fn sign_out(&self, session: &SessionEnd) -> Result<(), SignInError>;
}

/// The tokens a client still holds when it signs out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionEnd {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
}

/// `Set-Cookie` values that start a browser session: HttpOnly, SameSite=Lax, `Secure` when
/// the site is served over TLS. The server renews an expired access token from the refresh
/// token when a page is loaded, so both go to every path.
pub fn session_cookies(tokens: &SessionTokens, secure: bool) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!(
            "{ACCESS_COOKIE}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            tokens.access_token, tokens.expires_in
        ),
        format!(
            "{REFRESH_COOKIE}={}; Path=/; Max-Age={REFRESH_COOKIE_MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}",
            tokens.refresh_token
        ),
    ]
}

/// `Set-Cookie` values that end a browser session.
pub fn cleared_cookies(secure: bool) -> [String; 2] {
    let secure = if secure { "; Secure" } else { "" };
    [
        format!("{ACCESS_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
        format!("{REFRESH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
    ]
}

/// The value of cookie `name` in a `Cookie` request header.
pub fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The token of an `Authorization` value of the form `Bearer <token>`; `None` for any other
/// scheme or an empty token. The one parser behind the server's middleware and the API
/// Gateway authorizer, so both accept exactly the same headers.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    authorization
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_need_the_scheme_and_a_token() {
        assert_eq!(bearer_token("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer_token("Bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Basic dXNlcjpwdw=="), None);
        assert_eq!(bearer_token("abc.def.ghi"), None);
    }

    #[test]
    fn session_cookies_are_http_only_lax_and_secure_over_tls() {
        let tokens = SessionTokens {
            id_token: "i".into(),
            access_token: "a".into(),
            refresh_token: "r".into(),
            expires_in: 3600,
        };
        let [access, refresh] = session_cookies(&tokens, true);
        assert_eq!(
            access,
            "expedite_access=a; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(
            refresh.starts_with("expedite_refresh=r; Path=/;") && refresh.ends_with("; Secure")
        );
        assert!(!session_cookies(&tokens, false)[0].contains("Secure"));
        assert!(
            cleared_cookies(false)
                .iter()
                .all(|c| c.contains("Max-Age=0"))
        );
    }

    #[test]
    fn cookie_values_are_found_by_exact_name() {
        let header = "theme=dark; expedite_access=abc.def.ghi; expedite_access_old=zzz";
        assert_eq!(cookie_value(header, "expedite_access"), Some("abc.def.ghi"));
        assert_eq!(cookie_value(header, "expedite"), None);
        assert_eq!(cookie_value("expedite_access=", "expedite_access"), None);
    }
}
