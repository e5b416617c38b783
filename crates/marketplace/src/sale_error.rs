//! What sale operations refuse with.

use kernel::FieldError;

/// A sale operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    /// Input fields are invalid (422).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Absent, or not the caller's to see (404).
    #[error("not found")]
    NotFound,
    /// The caller sees it but lacks the right (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The sale's status refuses the action (409).
    #[error("cannot {action} a transaction that is {status}")]
    InvalidTransition {
        /// The action asked for.
        action: &'static str,
        /// The sale's status.
        status: &'static str,
    },
    /// Another reason the state refuses it (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// The tenant named clients in `sale_notices_per_hour` sales within the
    /// last hour (429 `quota_exceeded`); one more is possible after
    /// `retry_after_secs`.
    #[error(
        "this business named clients in {limit} sales within the last hour; retry in {retry_after_secs} s"
    )]
    QuotaExceeded {
        /// The hourly allowance (`sale_notices_per_hour`).
        limit: u32,
        /// Seconds until the oldest counted sale leaves the hour.
        retry_after_secs: u64,
    },
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(kernel::StoreError),
    /// Another port failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl SaleError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl kernel::Refusal for SaleError {
    fn kind(&self) -> kernel::ErrorKind {
        use kernel::ErrorKind as K;
        match self {
            Self::Validation(_) => K::Validation,
            Self::NotFound => K::NotFound,
            Self::Forbidden(_) => K::Forbidden,
            Self::InvalidTransition { .. } | Self::Conflict(_) => K::Conflict,
            Self::QuotaExceeded { .. } => K::RateLimited,
            Self::Store(e) => e.kind(),
            Self::Internal(_) => K::Internal,
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            Self::Validation(_) => kernel::Code::ValidationFailed,
            Self::NotFound => kernel::Code::NotFound,
            Self::Forbidden(_) => kernel::Code::Forbidden,
            Self::InvalidTransition { .. } => kernel::Code::InvalidTransition,
            Self::Conflict(_) => kernel::Code::Conflict,
            Self::QuotaExceeded { .. } => kernel::Code::QuotaExceeded,
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
            Self::QuotaExceeded {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl From<kernel::StoreError> for SaleError {
    fn from(e: kernel::StoreError) -> Self {
        match e {
            kernel::StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}
