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
    /// A change that must name the version it was decided on came without
    /// `If-Match` (428).
    PreconditionRequired,
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

/// Declares a domain's error type with the five refusals most domains need —
/// `Validation` (422), `NotFound` (404), `Forbidden` (403), `Conflict` (409)
/// and `Internal` (500) — with `field`, `kind`, `code` and `From<StoreError>`.
/// Used by the crates whose errors have nothing else (disputes, messaging);
/// the calling crate depends on `thiserror`.
///
/// ```
/// kernel::simple_domain_error! {
///     /// A widget operation failed.
///     pub WidgetError
/// }
/// let e = WidgetError::field("name", "must not be blank");
/// assert_eq!(e.kind(), kernel::ErrorKind::Validation);
/// assert_eq!(WidgetError::from(kernel::StoreError::NotFound), WidgetError::NotFound);
/// ```
#[macro_export]
macro_rules! simple_domain_error {
    ($(#[$doc:meta])* pub $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub enum $name {
            /// Input fields are invalid (422).
            #[error("invalid input")]
            Validation(Vec<$crate::FieldError>),
            /// Absent, or the caller may not see it (404).
            #[error("not found")]
            NotFound,
            /// The caller may see it but lacks the right (403).
            #[error("{0}")]
            Forbidden(&'static str),
            /// The state refuses it (409).
            #[error("{0}")]
            Conflict(&'static str),
            /// Storage or another port failed (500).
            #[error("internal error: {0}")]
            Internal(String),
        }

        impl $name {
            /// One invalid field.
            pub fn field(field: &str, message: impl Into<String>) -> Self {
                Self::Validation(vec![$crate::FieldError::new(field, message)])
            }

            /// The kind the HTTP layer maps to a status.
            pub fn kind(&self) -> $crate::ErrorKind {
                match self {
                    Self::Validation(_) => $crate::ErrorKind::Validation,
                    Self::NotFound => $crate::ErrorKind::NotFound,
                    Self::Forbidden(_) => $crate::ErrorKind::Forbidden,
                    Self::Conflict(_) => $crate::ErrorKind::Conflict,
                    Self::Internal(_) => $crate::ErrorKind::Internal,
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

        impl From<$crate::StoreError> for $name {
            fn from(e: $crate::StoreError) -> Self {
                match e {
                    $crate::StoreError::NotFound => Self::NotFound,
                    other => Self::Internal(other.to_string()),
                }
            }
        }
    };
}
