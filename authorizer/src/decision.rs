//! What one REQUEST authorizer event is owed: an Allow policy naming the caller, or a refusal.
//!
//! [`credential`] finds the credential the way the server's middleware does (a Bearer header
//! first, and then no fallback; else the session cookie); [`authorize`] verifies it as an access
//! token and writes the policy. A Deny policy would make API Gateway answer 403; the error
//! `Unauthorized` makes it answer 401, which is what a missing or bad credential is.

use aws_lambda_events::{
    apigw::{
        ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest,
        ApiGatewayCustomAuthorizerResponse,
    },
    http::{HeaderName, Method, header},
    iam::{IamPolicyEffect, IamPolicyStatement},
};
use expedite_core::identity::{ACCESS_COOKIE, Caller, bearer_token, cookie_value};
use expedite_identity::{TokenUse, Verifier, VerifyError};
use serde_json::{Value, json};

/// The REQUEST authorizer's event, as API Gateway sends it.
pub type AuthorizerEvent = ApiGatewayCustomAuthorizerRequestTypeRequest;
/// What the authorizer answers when it allows a request.
pub type AuthorizerResponse = ApiGatewayCustomAuthorizerResponse;

/// The one `/api` document anyone may read (schema tools fetch it unauthenticated).
pub const PUBLIC_PATH: &str = "/api/openapi.json";
/// The `principalId` of requests to [`PUBLIC_PATH`].
pub const ANONYMOUS: &str = "anonymous";

/// Where a request's credential is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `GET /api/openapi.json`: none is needed.
    Public,
    /// `Authorization: Bearer <token>` (API clients).
    Bearer(String),
    /// The `expedite_access` session cookie (browsers).
    Cookie(String),
    /// No usable credential: none at all, or an `Authorization` header that is not exactly one
    /// Bearer token.
    Missing,
}

/// Why a request is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// No credential, or one that does not verify: API Gateway answers 401.
    #[error("Unauthorized")]
    Unauthorized,
    /// The issuer's keys could not be fetched. Not the caller's fault, and a 401 would sign a
    /// browser out, so this is any other error, which API Gateway answers with 500.
    #[error("the issuer's keys are unavailable")]
    KeysUnavailable,
}

/// The credential of `event`. Header names are matched case-insensitively; every value in
/// `multiValueHeaders` counts (browsers may split cookies over several `Cookie` headers).
pub fn credential(event: &AuthorizerEvent) -> Credential {
    if event.http_method == Some(Method::GET) && event.path.as_deref() == Some(PUBLIC_PATH) {
        return Credential::Public;
    }
    let authorization = header_values(event, &header::AUTHORIZATION);
    if !authorization.is_empty() {
        // As in the server: a request that names a scheme is judged by it, never by a cookie.
        return match authorization.as_slice() {
            [value] => bearer_token(value).map_or(Credential::Missing, |token| {
                Credential::Bearer(token.to_owned())
            }),
            _ => Credential::Missing,
        };
    }
    let cookies = header_values(event, &header::COOKIE).join("; ");
    cookie_value(&cookies, ACCESS_COOKIE).map_or(Credential::Missing, |token| {
        Credential::Cookie(token.to_owned())
    })
}

/// Verifies `event`'s credential as an access token and allows the request's `methodArn` for
/// its caller (`principalId` = `sub`; `sub`, `username` and `groups` in the context, for the
/// access logs).
pub async fn authorize(
    verifier: &Verifier,
    event: &AuthorizerEvent,
) -> Result<AuthorizerResponse, Refused> {
    let path = event.path.as_deref().unwrap_or_default();
    let Some(method_arn) = event.method_arn.as_deref() else {
        tracing::warn!(path, "authorizer event without a methodArn refused");
        return Err(Refused::Unauthorized);
    };
    let (token, source) = match credential(event) {
        Credential::Public => return Ok(allow(method_arn, ANONYMOUS, json!({}))),
        Credential::Bearer(token) => (token, "bearer"),
        Credential::Cookie(token) => (token, "cookie"),
        Credential::Missing => {
            tracing::info!(path, "no credential");
            return Err(Refused::Unauthorized);
        }
    };
    match verifier.verify(&token, TokenUse::Access).await {
        Ok(caller) => {
            tracing::debug!(path, source, user.id = %caller.user_id, "allowed");
            Ok(allow(
                method_arn,
                &caller.user_id.to_string(),
                context(&caller),
            ))
        }
        Err(VerifyError::JwksUnavailable(cause)) => {
            tracing::error!(%cause, path, "cannot verify tokens: the issuer's keys are unavailable");
            Err(Refused::KeysUnavailable)
        }
        Err(error) => {
            tracing::warn!(%error, path, source, "token refused");
            Err(Refused::Unauthorized)
        }
    }
}

/// Every value of header `name`: `multiValueHeaders` holds them all, `headers` only the last
/// of each, so the first is read when it has the header.
fn header_values<'a>(event: &'a AuthorizerEvent, name: &HeaderName) -> Vec<&'a str> {
    let headers = if event.multi_value_headers.contains_key(name) {
        &event.multi_value_headers
    } else {
        &event.headers
    };
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect()
}

/// What the access logs can read as `$context.authorizer.*`.
fn context(caller: &Caller) -> Value {
    json!({
        "sub": caller.user_id.to_string(),
        "username": caller.username,
        "groups": caller.groups.join(","),
    })
}

/// Allows exactly this method and resource: with caching off, no other request reuses the
/// policy, so nothing wider is needed.
fn allow(method_arn: &str, principal: &str, context: Value) -> AuthorizerResponse {
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".to_owned()];
    statement.effect = IamPolicyEffect::Allow;
    statement.resource = vec![method_arn.to_owned()];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".to_owned());
    policy.statement = vec![statement];
    let mut response = AuthorizerResponse::default();
    response.principal_id = Some(principal.to_owned());
    response.policy_document = policy;
    response.context = context;
    response
}

#[cfg(test)]
mod tests;
