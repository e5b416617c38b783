//! What dispute operations refuse with.

use kernel::{ErrorKind, FieldError, StoreError};

/// A dispute operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisputeError {
    /// Input fields are invalid (422).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Absent, or the caller may not see it (404).
    #[error("not found")]
    NotFound,
    /// The caller may see it but lacks the right (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The state refuses it (409): a second open dispute, a resolved dispute.
    #[error("{0}")]
    Conflict(&'static str),
    /// Storage or another port failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl DisputeError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// The kind the HTTP layer maps to a status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Validation(_) => ErrorKind::Validation,
            Self::NotFound => ErrorKind::NotFound,
            Self::Forbidden(_) => ErrorKind::Forbidden,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation_failed",
            Self::NotFound => "not_found",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for DisputeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}
