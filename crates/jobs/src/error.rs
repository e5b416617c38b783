//! What job operations refuse with.

use kernel::{ErrorKind, FieldError, QuotaExceeded, Refusal, StoreError};

/// A job operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Input fields are invalid (422).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Absent, or the caller is not a party and may not see it (404).
    #[error("not found")]
    NotFound,
    /// A party of the job, or one who may see it, without the right (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The action needs a verified e-mail (`auth.require_verified_email`, 403).
    #[error("confirm your e-mail address first")]
    EmailUnverified,
    /// The action is not allowed from the job's status (409).
    #[error("cannot {action} a job that is {status}")]
    InvalidTransition {
        /// The action asked for.
        action: &'static str,
        /// The job's status.
        status: &'static str,
    },
    /// The state forbids the action for another reason (409).
    #[error("{0}")]
    Conflict(&'static str),
    /// Someone else changed the job first (409 without `If-Match`).
    #[error("the job changed while this request was applied; read it again")]
    Stale,
    /// The `If-Match` version is not the job's (412).
    #[error("the job changed since you read it")]
    PreconditionFailed,
    /// The action must name the version it was decided on (428).
    #[error("{0}")]
    PreconditionRequired(&'static str),
    /// Another booking holds an overlapping range of the provider's time (409 `slot_taken`).
    #[error("that time is no longer free: pick another slot")]
    SlotTaken,
    /// A reschedule proposal awaits its answer (409 `proposal_pending`).
    #[error("a reschedule proposal awaits its answer")]
    ProposalPending,
    /// A quota on open requests is reached (429 `quota_exceeded`).
    #[error(transparent)]
    Quota(QuotaExceeded),
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(StoreError),
    /// Another port failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl JobError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// The field errors of a validation failure.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Validation(errors) => errors,
            _ => &[],
        }
    }
}

impl Refusal for JobError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Validation(_) => ErrorKind::Validation,
            Self::NotFound => ErrorKind::NotFound,
            Self::Forbidden(_) | Self::EmailUnverified => ErrorKind::Forbidden,
            Self::InvalidTransition { .. }
            | Self::Conflict(_)
            | Self::Stale
            | Self::SlotTaken
            | Self::ProposalPending => ErrorKind::Conflict,
            Self::PreconditionFailed => ErrorKind::PreconditionFailed,
            Self::PreconditionRequired(_) => ErrorKind::PreconditionRequired,
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
            Self::InvalidTransition { .. } => kernel::Code::InvalidTransition,
            Self::Conflict(_) => kernel::Code::Conflict,
            Self::Stale => kernel::Code::ConcurrentUpdate,
            Self::SlotTaken => kernel::Code::SlotTaken,
            Self::ProposalPending => kernel::Code::ProposalPending,
            Self::PreconditionFailed => kernel::Code::PreconditionFailed,
            Self::PreconditionRequired(_) => kernel::Code::PreconditionRequired,
            Self::Quota(_) => kernel::Code::QuotaExceeded,
            Self::Store(e) => kernel::error::store_code(e),
            Self::Internal(_) => kernel::Code::Internal,
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        self.field_errors().to_vec()
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Quota(q) => Some(q.retry_after_secs),
            _ => None,
        }
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(kernel::Constraint::SlotTaken) => Self::SlotTaken,
            StoreError::Conflict(kernel::Constraint::ReschedulePending) => Self::ProposalPending,
            other => Self::Store(other),
        }
    }
}
