//! What account operations refuse with.

use kernel::{ErrorKind, FieldError, Refusal, StoreError};

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
    /// A revoked refresh token was presented again (or lost a race with
    /// another use of it): its whole session was revoked. Answered exactly
    /// like [`IdentityError::InvalidRefreshToken`].
    #[error("refresh token is invalid or expired")]
    RefreshTokenReused,
    /// The user does not exist (any more).
    #[error("user not found")]
    UserNotFound,
    /// Password hashing is saturated; retry shortly.
    #[error("too many sign-ins and registrations at once; retry shortly")]
    Busy,
    /// The one-time token is unknown (or of another purpose).
    #[error("this link is not valid")]
    TokenInvalid,
    /// The one-time token has expired.
    #[error("this link has expired; ask for a new one")]
    TokenExpired,
    /// The one-time token was already used (or replaced by a newer one).
    #[error("this link was already used; ask for a new one")]
    TokenUsed,
    /// The route needs a verified e-mail (`auth.require_verified_email`).
    #[error("confirm your e-mail address first")]
    EmailUnverified,
    /// The password given to confirm an account change is wrong; `field`
    /// names the body field.
    #[error("the password is incorrect")]
    WrongPassword(&'static str),
    /// The account cannot be closed yet; says what blocks it.
    #[error("the account cannot be closed yet: {0}")]
    AccountInUse(String),
    /// No such session of the caller.
    #[error("session not found")]
    SessionNotFound,
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(StoreError),
    /// A hashing or signing fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Refusal for IdentityError {
    fn kind(&self) -> ErrorKind {
        match self {
            IdentityError::Validation(_)
            | IdentityError::TokenInvalid
            | IdentityError::TokenExpired
            | IdentityError::TokenUsed
            | IdentityError::WrongPassword(_) => ErrorKind::Validation,
            IdentityError::EmailTaken | IdentityError::AccountInUse(_) => ErrorKind::Conflict,
            IdentityError::EmailUnverified => ErrorKind::Forbidden,
            IdentityError::SessionNotFound => ErrorKind::NotFound,
            IdentityError::InvalidCredentials
            | IdentityError::InvalidRefreshToken
            | IdentityError::RefreshTokenReused => ErrorKind::Unauthorized,
            IdentityError::AccountDisabled(_) => ErrorKind::Forbidden,
            IdentityError::UserNotFound => ErrorKind::NotFound,
            IdentityError::Busy => ErrorKind::Unavailable,
            IdentityError::Store(e) => e.kind(),
            IdentityError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            IdentityError::Validation(_) => kernel::Code::ValidationFailed,
            IdentityError::EmailTaken => kernel::Code::EmailTaken,
            IdentityError::InvalidCredentials => kernel::Code::InvalidCredentials,
            IdentityError::AccountDisabled(_) => kernel::Code::AccountDisabled,
            IdentityError::InvalidRefreshToken | IdentityError::RefreshTokenReused => {
                kernel::Code::InvalidRefreshToken
            }
            IdentityError::Busy => kernel::Code::Busy,
            IdentityError::UserNotFound | IdentityError::SessionNotFound => kernel::Code::NotFound,
            IdentityError::TokenInvalid => kernel::Code::TokenInvalid,
            IdentityError::TokenExpired => kernel::Code::TokenExpired,
            IdentityError::TokenUsed => kernel::Code::TokenUsed,
            IdentityError::EmailUnverified => kernel::Code::EmailUnverified,
            IdentityError::WrongPassword(_) => kernel::Code::WrongPassword,
            IdentityError::AccountInUse(_) => kernel::Code::AccountInUse,
            IdentityError::Store(e) => kernel::error::store_code(e),
            IdentityError::Internal(_) => kernel::Code::Internal,
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            IdentityError::Validation(fields) => fields.clone(),
            IdentityError::WrongPassword(field) => vec![FieldError::new(*field, "is incorrect")],
            _ => Vec::new(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        matches!(self, IdentityError::Busy).then_some(1)
    }
}
