//! What billing operations refuse with.

use kernel::{ErrorKind, FieldError, StoreError};

/// A billing operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// Invalid input fields.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The caller belongs to no tenant.
    #[error("you do not belong to a tenant")]
    NoTenant,
    /// The caller's tenant role does not allow this (e.g. staff adding staff).
    #[error("only the tenant owner may do this")]
    NotOwner,
    /// Absent, deleted, or another tenant's.
    #[error("not found")]
    NotFound,
    /// The state does not allow the operation.
    #[error("{0}")]
    Conflict(&'static str),
    /// The `If-Match` version is stale.
    #[error("the resource changed since you read it (version {current})")]
    Stale {
        /// The version now stored.
        current: i64,
    },
    /// Portal login failed; deliberately not saying why.
    #[error("tenant, e-mail or password is incorrect")]
    InvalidCredentials,
    /// Password hashing is saturated; retry shortly.
    #[error("too many sign-ins at once; retry shortly")]
    Busy,
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<identity::ports::HashError> for BillingError {
    fn from(e: identity::ports::HashError) -> Self {
        match e {
            identity::ports::HashError::Busy => BillingError::Busy,
            identity::ports::HashError::Failed(why) => {
                BillingError::Store(StoreError::backend(why))
            }
        }
    }
}

impl From<StoreError> for BillingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => BillingError::NotFound,
            other => BillingError::Store(other),
        }
    }
}

impl BillingError {
    /// A single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        BillingError::Validation(vec![FieldError::new(field, message)])
    }
}

impl kernel::Refusal for BillingError {
    fn kind(&self) -> ErrorKind {
        match self {
            BillingError::Validation(_) => ErrorKind::Validation,
            BillingError::NoTenant | BillingError::NotOwner => ErrorKind::Forbidden,
            BillingError::NotFound => ErrorKind::NotFound,
            BillingError::Conflict(_) => ErrorKind::Conflict,
            BillingError::Stale { .. } => ErrorKind::PreconditionFailed,
            BillingError::InvalidCredentials => ErrorKind::Unauthorized,
            BillingError::Busy => ErrorKind::Unavailable,
            BillingError::Store(e) => e.kind(),
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            BillingError::Validation(_) => kernel::Code::ValidationFailed,
            BillingError::NoTenant => kernel::Code::NoTenant,
            BillingError::NotOwner => kernel::Code::NotTenantOwner,
            BillingError::NotFound => kernel::Code::NotFound,
            BillingError::Conflict(_) => kernel::Code::Conflict,
            BillingError::Stale { .. } => kernel::Code::PreconditionFailed,
            BillingError::InvalidCredentials => kernel::Code::InvalidCredentials,
            BillingError::Busy => kernel::Code::Busy,
            BillingError::Store(e) => kernel::error::store_code(e),
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            BillingError::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            BillingError::Busy => Some(1),
            _ => None,
        }
    }
}
