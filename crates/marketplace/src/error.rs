//! What listing operations refuse with.

use kernel::{ErrorKind, FieldError, StoreError};

/// A listing operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingError {
    /// Input fields are invalid (422).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Absent, or not the caller's to see or change (404).
    #[error("not found")]
    NotFound,
    /// The caller lacks the role for this (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The listing's status refuses the action (409).
    #[error("cannot {action} a listing that is {status}")]
    InvalidTransition {
        /// The action asked for.
        action: &'static str,
        /// The listing's status.
        status: &'static str,
    },
    /// The state forbids the action for another reason (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(StoreError),
    /// Another port failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ListingError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl kernel::Refusal for ListingError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Validation(_) => ErrorKind::Validation,
            Self::NotFound => ErrorKind::NotFound,
            Self::Forbidden(_) => ErrorKind::Forbidden,
            Self::InvalidTransition { .. } | Self::Conflict(_) => ErrorKind::Conflict,
            Self::Store(e) => e.kind(),
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            Self::Validation(_) => kernel::Code::ValidationFailed,
            Self::NotFound => kernel::Code::NotFound,
            Self::Forbidden(_) => kernel::Code::Forbidden,
            Self::InvalidTransition { .. } => kernel::Code::InvalidTransition,
            Self::Conflict(_) => kernel::Code::Conflict,
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
}

impl From<StoreError> for ListingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}
