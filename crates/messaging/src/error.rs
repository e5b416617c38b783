//! What messaging operations refuse with: a validation (422), not found (404),
//! forbidden (403), a thread state that refuses it such as a block (409), the
//! sender's post quota (429), or an internal failure (500).

use kernel::{ErrorKind, FieldError, QuotaExceeded, StoreError};

/// A messaging operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessagingError {
    /// Input fields are invalid (422).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Absent, or the caller may not see it (404).
    #[error("not found")]
    NotFound,
    /// The caller may see it but lacks the right (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The action needs a verified e-mail (`auth.require_verified_email`, 403).
    #[error("confirm your e-mail address first")]
    EmailUnverified,
    /// The state refuses it (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// The sender posted `chat_posts_per_minute` messages in the last minute (429).
    #[error(transparent)]
    Quota(QuotaExceeded),
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(kernel::StoreError),
    /// Another port failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl MessagingError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl kernel::Refusal for MessagingError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Validation(_) => ErrorKind::Validation,
            Self::NotFound => ErrorKind::NotFound,
            Self::Forbidden(_) | Self::EmailUnverified => ErrorKind::Forbidden,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::Quota(_) => ErrorKind::RateLimited,
            Self::Store(e) => e.kind(),
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            Self::Validation(_) => kernel::Code::ValidationFailed,
            Self::NotFound => kernel::Code::NotFound,
            Self::Forbidden(_) => kernel::Code::Forbidden,
            Self::EmailUnverified => kernel::Code::EmailUnverified,
            Self::Conflict(_) => kernel::Code::Conflict,
            Self::Quota(_) => kernel::Code::QuotaExceeded,
            Self::Store(e) => kernel::error::store_code(e),
            Self::Internal(_) => kernel::Code::Internal,
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Quota(q) => Some(q.retry_after_secs),
            _ => None,
        }
    }
}

impl From<StoreError> for MessagingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}
