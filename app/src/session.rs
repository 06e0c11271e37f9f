//! Who is signed in, and the server functions that sign people in and out. They call the same
//! use-cases as `/auth/*` and set the same HttpOnly session cookies.

use expedite_domain::Me;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::UiError;

/// The signed-in user, or `None`.
#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, UiError> {
    Ok(crate::api::signed_in().map(|caller| caller.me()))
}

/// Where a sign-in stands after one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStep {
    /// Signed in; the response redirected to the page asked for.
    SignedIn,
    /// The account has a temporary password: choose a new one to finish.
    NewPasswordRequired { email: String, session: String },
}

/// Signs in and starts a browser session, then goes to `next` (a local path) or the dashboard.
#[server(prefix = "/sfn", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<SignInStep, UiError> {
    use expedite_core::{
        Services,
        identity::{ClientAddress, SignInError},
    };

    let services = expect_context::<Services>();
    let client = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().cloned())
        .map_or_else(|| "unknown".to_owned(), |ClientAddress(client)| client);
    match services.sign_in(&email, &password, &client).await {
        Ok(tokens) => {
            start_session(&services, &tokens, next.as_deref());
            Ok(SignInStep::SignedIn)
        }
        Err(SignInError::NewPasswordRequired { session }) => {
            Ok(SignInStep::NewPasswordRequired { email, session })
        }
        Err(error) => Err(error.into()),
    }
}

/// Finishes a sign-in that asked for a new password, then goes to `next` or the dashboard.
#[server(prefix = "/sfn", endpoint = "complete_new_password")]
pub async fn complete_new_password(
    email: String,
    new_password: String,
    session: String,
    next: Option<String>,
) -> Result<(), UiError> {
    use expedite_core::Services;

    let services = expect_context::<Services>();
    let tokens = services
        .complete_new_password(&email, &new_password, &session)
        .await
        .map_err(UiError::from)?;
    start_session(&services, &tokens, next.as_deref());
    Ok(())
}

#[cfg(feature = "ssr")]
fn start_session(
    services: &expedite_core::Services,
    tokens: &expedite_core::identity::SessionTokens,
    next: Option<&str>,
) {
    let secure = services.config().serves_tls();
    set_cookies(&expedite_core::identity::session_cookies(tokens, secure));
    leptos_axum::redirect(&local_path(next));
}

/// Ends the browser session and goes to the sign-in page.
#[server(prefix = "/sfn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    use expedite_core::{
        Services,
        identity::{ACCESS_COOKIE, REFRESH_COOKIE, SessionEnd, cleared_cookies, cookie_value},
    };

    let services = expect_context::<Services>();
    let cookies = use_context::<http::request::Parts>()
        .and_then(|parts| {
            Some(
                parts
                    .headers
                    .get(http::header::COOKIE)?
                    .to_str()
                    .ok()?
                    .to_owned(),
            )
        })
        .unwrap_or_default();
    let session = SessionEnd {
        access_token: cookie_value(&cookies, ACCESS_COOKIE).map(str::to_owned),
        refresh_token: cookie_value(&cookies, REFRESH_COOKIE).map(str::to_owned),
    };
    // The cookies go either way; a provider hiccup must not keep anyone signed in here.
    if let Err(error) = services.sign_out(&session).await {
        leptos::logging::warn!("sign-out could not end the session: {error}");
    }
    let secure = services.config().serves_tls();
    set_cookies(&cleared_cookies(secure));
    leptos_axum::redirect("/sign-in");
    Ok(())
}

#[cfg(feature = "ssr")]
fn set_cookies(cookies: &[String]) {
    let response = expect_context::<leptos_axum::ResponseOptions>();
    for cookie in cookies {
        if let Ok(value) = http::HeaderValue::from_str(cookie) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}

/// Only same-site paths are followed after sign-in (no open redirects).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from URLs, so `/\t/host` would become `//host`.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The session as pages see it: the current user, refetched after signing in or out.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<Me>, UiError>>,
    pub sign_in: ServerAction<SignIn>,
    pub new_password: ServerAction<CompleteNewPassword>,
    pub sign_out: ServerAction<SignOut>,
}

impl Session {
    /// Creates the session resource and actions; call once, in the root component.
    pub fn provide() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let new_password = ServerAction::<CompleteNewPassword>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let user = Resource::new(
            move || {
                (
                    sign_in.version().get(),
                    new_password.version().get(),
                    sign_out.version().get(),
                )
            },
            |_| current_user(),
        );
        let session = Self {
            user,
            sign_in,
            new_password,
            sign_out,
        };
        provide_context(session);
        session
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/customers?page=2")), "/customers?page=2");
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(local_path(None), "/");
    }
}
