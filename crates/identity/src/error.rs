//! What account operations refuse with.

use kernel::{ErrorKind, FieldError};

/// An account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Input fields are invalid.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The e-mail is already registered.
    #[error("an account with this e-mail already exists")]
    EmailTaken,
    /// Unknown e-mail or wrong password; deliberately not saying which.
    #[error("e-mail or password is incorrect")]
    InvalidCredentials,
    /// The account is suspended or banned.
    #[error("this account is {0}")]
    AccountDisabled(&'static str),
    /// The refresh token is unknown, expired or revoked.
    #[error("refresh token is invalid or expired")]
    InvalidRefreshToken,
    /// The user does not exist (any more).
    #[error("user not found")]
    UserNotFound,
    /// Password hashing is saturated; retry shortly.
    #[error("too many sign-ins and registrations at once; retry shortly")]
    Busy,
    /// A storage, hashing or signing fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl IdentityError {
    /// The kind the HTTP layer maps to a status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IdentityError::Validation(_) => ErrorKind::Validation,
            IdentityError::EmailTaken => ErrorKind::Conflict,
            IdentityError::InvalidCredentials | IdentityError::InvalidRefreshToken => {
                ErrorKind::Unauthorized
            }
            IdentityError::AccountDisabled(_) => ErrorKind::Forbidden,
            IdentityError::UserNotFound => ErrorKind::NotFound,
            IdentityError::Busy => ErrorKind::Unavailable,
            IdentityError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityError::Validation(_) => "validation_failed",
            IdentityError::EmailTaken => "email_taken",
            IdentityError::InvalidCredentials => "invalid_credentials",
            IdentityError::AccountDisabled(_) => "account_disabled",
            IdentityError::InvalidRefreshToken => "invalid_refresh_token",
            IdentityError::UserNotFound => "not_found",
            IdentityError::Busy => "busy",
            IdentityError::Internal(_) => "internal",
        }
    }
}
