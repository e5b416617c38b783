//! What supply-side operations refuse with.

use kernel::{Constraint, ErrorKind, FieldError, StoreError};

/// A supply-side operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SupplyError {
    /// Input fields are invalid.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The zipcode is valid but no region serves it.
    #[error("zipcode {0} is not in a served region")]
    UnservedZipcode(String),
    /// Absent, or outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// The caller lacks the role.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The action needs a verified e-mail (`auth.require_verified_email`, 403).
    #[error("confirm your e-mail address first")]
    EmailUnverified,
    /// A rejected application is too recent.
    #[error(
        "a provider application with this e-mail or phone was rejected; a new one is accepted from {0}"
    )]
    ReapplyTooSoon(chrono::NaiveDate),
    /// The user already has an application or a provider profile.
    #[error("this account has already applied")]
    AlreadyApplied,
    /// The transition is not allowed from the current state.
    #[error("{0}")]
    InvalidTransition(String),
    /// A duplicate (e-mail taken, pending ban request, ...).
    #[error("{0}")]
    Duplicate(String),
    /// Password hashing is saturated; retry shortly.
    #[error("password hashing is busy; retry shortly")]
    Busy,
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(StoreError),
    /// Another port failed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<identity::ports::HashError> for SupplyError {
    fn from(e: identity::ports::HashError) -> Self {
        match e {
            identity::ports::HashError::Busy => SupplyError::Busy,
            identity::ports::HashError::Failed(why) => SupplyError::Internal(why),
        }
    }
}

impl SupplyError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        SupplyError::Validation(vec![FieldError::new(field, message)])
    }
}

impl kernel::Refusal for SupplyError {
    fn kind(&self) -> ErrorKind {
        match self {
            SupplyError::Validation(_) | SupplyError::UnservedZipcode(_) => ErrorKind::Validation,
            SupplyError::NotFound => ErrorKind::NotFound,
            SupplyError::Forbidden(_) | SupplyError::EmailUnverified => ErrorKind::Forbidden,
            SupplyError::ReapplyTooSoon(_)
            | SupplyError::AlreadyApplied
            | SupplyError::InvalidTransition(_)
            | SupplyError::Duplicate(_) => ErrorKind::Conflict,
            SupplyError::Busy => ErrorKind::Unavailable,
            SupplyError::Store(e) => e.kind(),
            SupplyError::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            SupplyError::Validation(_) => kernel::Code::ValidationFailed,
            SupplyError::UnservedZipcode(_) => kernel::Code::UnservedZipcode,
            SupplyError::NotFound => kernel::Code::NotFound,
            SupplyError::Forbidden(_) => kernel::Code::Forbidden,
            SupplyError::EmailUnverified => kernel::Code::EmailUnverified,
            SupplyError::ReapplyTooSoon(_) => kernel::Code::ReapplyTooSoon,
            SupplyError::AlreadyApplied => kernel::Code::AlreadyApplied,
            SupplyError::InvalidTransition(_) => kernel::Code::InvalidTransition,
            SupplyError::Duplicate(_) => kernel::Code::Conflict,
            SupplyError::Busy => kernel::Code::Busy,
            SupplyError::Store(e) => kernel::error::store_code(e),
            SupplyError::Internal(_) => kernel::Code::Internal,
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            SupplyError::Validation(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            SupplyError::Busy => Some(1),
            _ => None,
        }
    }
}

impl From<StoreError> for SupplyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => SupplyError::NotFound,
            StoreError::Conflict(Constraint::UserEmail) => {
                SupplyError::Duplicate("an account with this e-mail already exists".into())
            }
            StoreError::Conflict(Constraint::BanRequestOfProvider) => {
                SupplyError::Duplicate("a ban request for this provider is already pending".into())
            }
            StoreError::Conflict(Constraint::ProviderOfUser) => SupplyError::AlreadyApplied,
            StoreError::Conflict(Constraint::ServiceSlug) => {
                SupplyError::Duplicate("a service with this slug already exists".into())
            }
            StoreError::Conflict(Constraint::ServiceName) => {
                SupplyError::Duplicate("a service with this name already exists".into())
            }
            // Any other unique key (a write racing an equal one): still a
            // conflict for the caller, never a fault of ours.
            StoreError::Conflict(_) => {
                SupplyError::Duplicate("this conflicts with an existing record".into())
            }
            StoreError::Stale => SupplyError::InvalidTransition(
                "the provider changed meanwhile; reload and decide again".into(),
            ),
            other => SupplyError::Store(other),
        }
    }
}

impl From<catalog::CatalogError> for SupplyError {
    fn from(e: catalog::CatalogError) -> Self {
        match e {
            catalog::CatalogError::Validation(f) => SupplyError::Validation(f),
            catalog::CatalogError::UnservedZipcode(z) => SupplyError::UnservedZipcode(z),
            catalog::CatalogError::NotFound => SupplyError::NotFound,
            catalog::CatalogError::Store(e) => SupplyError::Store(e),
            other => SupplyError::Internal(other.to_string()),
        }
    }
}
