//! What effect use cases refuse with.

use kernel::{ErrorKind, StoreError};

/// An effects operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectsError {
    /// Absent, or not the caller's (404).
    #[error("not found")]
    NotFound,
    /// Storage failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl EffectsError {
    /// The kind the HTTP layer maps to a status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for EffectsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}
