//! The closed set of failure kinds that every domain error maps onto, and
//! field-level validation errors.

use serde::Serialize;

/// What kind of failure an operation met; the HTTP layer turns each into a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No or bad credentials (401).
    Unauthorized,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// Absent, or outside the caller's scope (404).
    NotFound,
    /// State conflict or duplicate (409).
    Conflict,
    /// A stale `If-Match` (412).
    PreconditionFailed,
    /// Invalid input (422).
    Validation,
    /// Too many attempts (429).
    RateLimited,
    /// Saturated for the moment (a bounded resource such as password hashing
    /// is busy); the caller may retry shortly (503).
    Unavailable,
    /// A fault of ours or of a dependency (500).
    Internal,
}

/// One invalid input field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the client sent it (`email`, `lines[2].quantity`).
    pub field: String,
    /// A message a person can act on.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A storage port failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A unique key or other constraint refused the write; carries the constraint name.
    #[error("constraint `{0}` violated")]
    Conflict(String),
    /// The row to change does not exist in the caller's scope.
    #[error("not found")]
    NotFound,
    /// The row changed since it was read: its `version` is no longer the one
    /// the change was computed from (optimistic concurrency).
    #[error("the row changed since it was read")]
    Stale,
    /// The database failed or is unreachable.
    #[error("storage failure: {0}")]
    Backend(String),
}
