//! What effect use cases refuse with.

use kernel::{ErrorKind, Refusal, StoreError};

/// An effects operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectsError {
    /// Absent, or not the caller's (404).
    #[error("not found")]
    NotFound,
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(StoreError),
}

impl Refusal for EffectsError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Store(e) => e.kind(),
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            Self::NotFound => kernel::Code::NotFound,
            Self::Store(e) => kernel::error::store_code(e),
        }
    }
}

impl From<StoreError> for EffectsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}
