//! What can go wrong talking to Salesforce, parsed from its two error shapes: the REST error
//! array `[{"message","errorCode","fields"}]` and OAuth's `{"error","error_description"}`.

use serde::Deserialize;

/// A failed Salesforce call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SalesforceError {
    /// The token endpoint refused the credentials (`invalid_grant`, `invalid_client_id`, …).
    #[error("Salesforce refused the sign-in ({error}): {description}")]
    Auth { error: String, description: String },
    /// 401 `INVALID_SESSION_ID`: the access token expired or was revoked.
    #[error("session expired or invalid: {0}")]
    InvalidSession(String),
    /// `INVALID_QUERY_LOCATOR`: the query cursor expired; the query must start again.
    #[error("query cursor expired: {0}")]
    InvalidQueryLocator(String),
    /// 403 `REQUEST_LIMIT_EXCEEDED`: the org's API allowance is used up for now.
    #[error("API request limit exceeded: {0}")]
    RequestLimitExceeded(String),
    /// 400 `MALFORMED_QUERY`.
    #[error("malformed query: {0}")]
    MalformedQuery(String),
    /// 400 `INVALID_FIELD` ("No such column 'X' on entity 'Y'").
    #[error("invalid field: {0}")]
    InvalidField(String),
    /// 400 `INVALID_TYPE`.
    #[error("invalid sObject type: {0}")]
    InvalidType(String),
    /// 404 `NOT_FOUND`.
    #[error("not found: {0}")]
    NotFound(String),
    /// 300: an external id matched several records.
    #[error("external id matches several records: {0}")]
    MultipleMatches(String),
    /// Any other error Salesforce named.
    #[error("Salesforce error {code} (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// A failure status without a readable error body.
    #[error("HTTP {status} from Salesforce")]
    Http { status: u16 },
    /// The connection or the whole request took longer than allowed.
    #[error("Salesforce did not answer in time")]
    Timeout,
    /// The request could not be sent or its answer not received.
    #[error("cannot reach Salesforce: {0}")]
    Transport(String),
    /// The server's TLS certificate was not accepted (unknown authority, expired, wrong
    /// host). Trying again cannot help: someone has to fix the trust roots or the certificate.
    #[error(
        "the certificate of {origin} could not be verified: {detail}; set EXPEDITE_CA_FILE to \
         a PEM bundle with the certificate authority that signed it (a TLS-inspecting proxy or \
         a private CA) or fix the server's certificate"
    )]
    Certificate {
        /// `https://host[:port]` of the server that presented it.
        origin: String,
        detail: String,
    },
    /// A success response that does not have the expected shape.
    #[error("unexpected response from Salesforce: {0}")]
    Decode(String),
    /// The client cannot be built from its configuration (bad key, bad certificate).
    #[error("Salesforce client misconfigured: {0}")]
    Config(String),
}

impl SalesforceError {
    /// Worth trying the same call again later: server errors, timeouts, lost connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) => true,
            Self::Http { status } => *status >= 500 || *status == 429,
            Self::Api { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || matches!(code.as_str(), "SERVER_UNAVAILABLE" | "UNABLE_TO_LOCK_ROW")
            }
            _ => false,
        }
    }

    /// Salesforce answered and refused the request itself (a 4xx about its fields, type,
    /// query or body), so the same request will be refused again; not a session, API limit,
    /// transport or certificate problem, which concern every request alike.
    pub fn is_refusal(&self) -> bool {
        match self {
            Self::MalformedQuery(_)
            | Self::InvalidField(_)
            | Self::InvalidType(_)
            | Self::NotFound(_)
            | Self::MultipleMatches(_) => true,
            Self::Api { status, .. } | Self::Http { status } => {
                // 401 and 407 are about who is asking, not what: every call gets them.
                (300..500).contains(status)
                    && !matches!(status, 401 | 407 | 429)
                    && !self.is_retryable()
            }
            _ => false,
        }
    }

    /// The Salesforce error code, for sync issues.
    pub fn code(&self) -> &str {
        match self {
            Self::Auth { .. } => "AUTH_FAILED",
            Self::InvalidSession(_) => "INVALID_SESSION_ID",
            Self::InvalidQueryLocator(_) => "INVALID_QUERY_LOCATOR",
            Self::RequestLimitExceeded(_) => "REQUEST_LIMIT_EXCEEDED",
            Self::MalformedQuery(_) => "MALFORMED_QUERY",
            Self::InvalidField(_) => "INVALID_FIELD",
            Self::InvalidType(_) => "INVALID_TYPE",
            Self::NotFound(_) => "NOT_FOUND",
            Self::MultipleMatches(_) => "MULTIPLE_CHOICES",
            Self::Api { code, .. } => code,
            Self::Http { .. } => "HTTP_ERROR",
            Self::Timeout => "TIMEOUT",
            Self::Transport(_) => "TRANSPORT",
            Self::Certificate { .. } => "CERTIFICATE",
            Self::Decode(_) => "UNEXPECTED_RESPONSE",
            Self::Config(_) => "CONFIG",
        }
    }

    /// Reads a failure response body (`status` ≥ 300) into the matching variant.
    pub fn from_response(status: u16, body: &str) -> Self {
        if let Ok(errors) = serde_json::from_str::<Vec<ApiErrorBody>>(body)
            && let Some(first) = errors.into_iter().next()
        {
            return Self::from_code(status, first.error_code, first.message);
        }
        if let Ok(oauth) = serde_json::from_str::<OAuthErrorBody>(body) {
            return Self::Auth {
                error: oauth.error,
                description: oauth.error_description.unwrap_or_default(),
            };
        }
        // A single error object (some endpoints answer without the array).
        if let Ok(single) = serde_json::from_str::<ApiErrorBody>(body) {
            return Self::from_code(status, single.error_code, single.message);
        }
        match status {
            300 => Self::MultipleMatches(String::new()),
            404 => Self::NotFound(String::new()),
            _ => Self::Http { status },
        }
    }

    fn from_code(status: u16, code: String, message: String) -> Self {
        match code.as_str() {
            "INVALID_SESSION_ID" => Self::InvalidSession(message),
            "INVALID_QUERY_LOCATOR" => Self::InvalidQueryLocator(message),
            "REQUEST_LIMIT_EXCEEDED" => Self::RequestLimitExceeded(message),
            "MALFORMED_QUERY" => Self::MalformedQuery(message),
            "INVALID_FIELD" => Self::InvalidField(message),
            "INVALID_TYPE" => Self::InvalidType(message),
            "NOT_FOUND" => Self::NotFound(message),
            _ if status == 300 => Self::MultipleMatches(message),
            _ => Self::Api {
                status,
                code,
                message,
            },
        }
    }
}

impl From<reqwest::Error> for SalesforceError {
    fn from(error: reqwest::Error) -> Self {
        if let Some(detail) = expedite_core::tls::certificate_failure(&error) {
            let origin = error.url().map_or_else(
                || "the Salesforce server".to_owned(),
                |url| url.origin().ascii_serialization(),
            );
            Self::Certificate { origin, detail }
        } else if error.is_timeout() {
            Self::Timeout
        } else if error.is_decode() {
            Self::Decode(error.to_string())
        } else {
            // The URL is ours and carries no secret; the chain says what failed.
            let mut text = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            Self::Transport(text)
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiErrorBody {
    #[serde(default)]
    message: String,
    error_code: String,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_arrays_become_typed_errors() {
        let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert_eq!(
            SalesforceError::from_response(401, body),
            SalesforceError::InvalidSession("Session expired or invalid".into())
        );
        let body = r#"[{"message":"No such column 'Foo' on entity 'Account'","errorCode":"INVALID_FIELD","fields":[]}]"#;
        let error = SalesforceError::from_response(400, body);
        assert!(matches!(error, SalesforceError::InvalidField(ref m) if m.contains("Foo")));
        assert!(!error.is_retryable());
        let body =
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        assert!(matches!(
            SalesforceError::from_response(403, body),
            SalesforceError::RequestLimitExceeded(_)
        ));
        let body = r#"[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]"#;
        assert_eq!(
            SalesforceError::from_response(400, body).code(),
            "INVALID_QUERY_LOCATOR"
        );
        let body = r#"[{"message":"busy","errorCode":"SERVER_UNAVAILABLE"}]"#;
        assert!(SalesforceError::from_response(503, body).is_retryable());
    }

    #[test]
    fn refusals_are_told_apart_from_problems_of_every_call() {
        let body = r#"[{"message":"Id is not an external id field","errorCode":"INVALID_FIELD"}]"#;
        assert!(SalesforceError::from_response(400, body).is_refusal());
        let body = r#"[{"message":"nope","errorCode":"INSUFFICIENT_ACCESS"}]"#;
        assert!(SalesforceError::from_response(403, body).is_refusal());
        assert!(SalesforceError::Http { status: 400 }.is_refusal());
        assert!(!SalesforceError::Http { status: 401 }.is_refusal());
        let body = r#"[{"message":"locked","errorCode":"UNABLE_TO_LOCK_ROW"}]"#;
        assert!(!SalesforceError::from_response(400, body).is_refusal());
        for error in [
            SalesforceError::Http { status: 503 },
            SalesforceError::Http { status: 429 },
            SalesforceError::RequestLimitExceeded(String::new()),
            SalesforceError::InvalidSession(String::new()),
            SalesforceError::Timeout,
            SalesforceError::Transport("connection refused".into()),
            SalesforceError::Certificate {
                origin: "https://x.my.salesforce.com".into(),
                detail: "UnknownIssuer".into(),
            },
        ] {
            assert!(!error.is_refusal(), "{error:?}");
        }
    }

    #[test]
    fn certificate_failures_are_permanent_and_name_the_host() {
        let error = SalesforceError::Certificate {
            origin: "https://acme.my.salesforce.com".into(),
            detail: "invalid peer certificate: UnknownIssuer".into(),
        };
        assert!(!error.is_retryable());
        assert_eq!(error.code(), "CERTIFICATE");
        let text = error.to_string();
        assert!(
            text.starts_with("the certificate of https://acme.my.salesforce.com could not be verified: invalid peer certificate: UnknownIssuer; set EXPEDITE_CA_FILE"),
            "{text}"
        );
    }

    #[test]
    fn oauth_errors_and_bare_statuses_are_understood() {
        let body = r#"{"error":"invalid_grant","error_description":"authentication failure"}"#;
        assert_eq!(
            SalesforceError::from_response(400, body),
            SalesforceError::Auth {
                error: "invalid_grant".into(),
                description: "authentication failure".into()
            }
        );
        assert_eq!(
            SalesforceError::from_response(503, "<html>down</html>"),
            SalesforceError::Http { status: 503 }
        );
        assert!(SalesforceError::Http { status: 502 }.is_retryable());
        assert!(!SalesforceError::Http { status: 400 }.is_retryable());
        assert!(SalesforceError::Timeout.is_retryable());
        assert!(matches!(
            SalesforceError::from_response(300, "[]"),
            SalesforceError::MultipleMatches(_)
        ));
    }
}
