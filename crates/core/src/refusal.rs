//! The one mapping from a use-case error to what a client sees: a code (and so an HTTP status)
//! and a message. The REST edge (`ApiError`) and the UI's server functions (`UiError`) both
//! convert any [`Refusal`] with `From`, so they can never disagree.

use expedite_domain::ErrorCode;

use crate::{
    AccessError, CustomerError, QueryError, SyncError, identity::SignInError, store::StoreError,
};

/// What a client is told when a failure is ours; the cause goes to the log.
pub const INTERNAL_MESSAGE: &str = "Something went wrong on our side. Please try again.";

/// A use-case error as a client sees it.
pub trait Refusal: std::error::Error + Send + Sync + 'static {
    /// The code, and with it the HTTP status ([`ErrorCode::http_status`]).
    fn code(&self) -> ErrorCode;

    /// What the client may read: the error's own words, except for failures on our side.
    fn public_message(&self) -> String {
        if self.code() == ErrorCode::Internal {
            INTERNAL_MESSAGE.to_owned()
        } else {
            self.to_string()
        }
    }

    /// Whether the cause belongs in the error log (a failure of ours or of a dependency).
    fn is_failure(&self) -> bool {
        matches!(self.code(), ErrorCode::Internal | ErrorCode::Unavailable)
    }

    /// Whole seconds to wait before trying again (`Retry-After`), when the refusal knows.
    fn retry_after_secs(&self) -> Option<u64> {
        None
    }
}

impl Refusal for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidCursor => ErrorCode::BadRequest,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Corrupt(_) | Self::Conflict(_) => ErrorCode::Internal,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::InvalidCursor => {
                "This page link is no longer valid for this listing; start again from the first page."
            }
            Self::Unavailable(_) => {
                "The data store is not answering right now; please try again shortly."
            }
            Self::Corrupt(_) | Self::Conflict(_) => INTERNAL_MESSAGE,
        }
        .to_owned()
    }
}

impl Refusal for AccessError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Forbidden => ErrorCode::Forbidden,
            Self::ManagedElsewhere => ErrorCode::NotFound,
            Self::Store(error) => error.code(),
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Store(error) => error.public_message(),
            other => other.to_string(),
        }
    }
}

impl Refusal for QueryError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidPrompt(_) | Self::InvalidIdempotencyKey => ErrorCode::BadRequest,
            Self::NotFound => ErrorCode::NotFound,
            Self::NotQueued => ErrorCode::Unavailable,
            Self::Store(error) => error.code(),
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Store(error) => error.public_message(),
            other => other.to_string(),
        }
    }
}

impl Refusal for CustomerError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound => ErrorCode::NotFound,
            Self::SearchTooLong | Self::FilterTooLong | Self::InvalidEdit(_) => {
                ErrorCode::BadRequest
            }
            Self::Forbidden => ErrorCode::Forbidden,
            Self::Store(error) => error.code(),
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Store(error) => error.public_message(),
            other => other.to_string(),
        }
    }
}

impl Refusal for SyncError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Access(error) => error.code(),
            Self::NotFound => ErrorCode::NotFound,
            Self::NotConfigured | Self::NotQueued => ErrorCode::Unavailable,
            Self::Store(error) => error.code(),
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Access(error) => error.public_message(),
            Self::Store(error) => error.public_message(),
            other => other.to_string(),
        }
    }
}

impl Refusal for SignInError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidCredentials | Self::SessionEnded => ErrorCode::Unauthorized,
            Self::TooManyAttempts { .. } => ErrorCode::RateLimited,
            Self::NewPasswordRequired { .. } | Self::PasswordPolicy => ErrorCode::BadRequest,
            Self::Unavailable(_) => ErrorCode::Unavailable,
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        SignInError::retry_after_secs(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_of_ours_hide_their_cause() {
        let corrupt = QueryError::Store(StoreError::Corrupt("row 7: bad json".into()));
        assert_eq!(corrupt.code(), ErrorCode::Internal);
        assert_eq!(corrupt.public_message(), INTERNAL_MESSAGE);
        assert!(corrupt.is_failure());
        let down = AccessError::Store(StoreError::Unavailable("pool timed out".into()));
        assert_eq!(down.code(), ErrorCode::Unavailable);
        assert!(!down.public_message().contains("pool"));
        let refused = CustomerError::InvalidEdit("Name may be at most 255 characters.".into());
        assert_eq!(refused.code(), ErrorCode::BadRequest);
        assert_eq!(
            refused.public_message(),
            "Name may be at most 255 characters."
        );
        assert!(!refused.is_failure());
    }

    #[test]
    fn nested_errors_keep_the_inner_code() {
        let cursor = SyncError::Store(StoreError::InvalidCursor);
        assert_eq!(cursor.code(), ErrorCode::BadRequest);
        let forbidden = SyncError::Access(AccessError::Forbidden);
        assert_eq!(forbidden.code(), ErrorCode::Forbidden);
        assert_eq!(
            AccessError::ManagedElsewhere.code(),
            ErrorCode::NotFound,
            "an account list this deployment does not keep"
        );
    }
}
