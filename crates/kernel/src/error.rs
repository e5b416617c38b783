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
    /// A body over the size the operation accepts (413).
    TooLarge,
    /// A body of a media type the operation does not take (415).
    UnsupportedMediaType,
    /// Too many attempts (429).
    RateLimited,
    /// Saturated for the moment (a bounded resource such as password hashing
    /// is busy); the caller may retry shortly (503).
    Unavailable,
    /// The database cannot be reached ([`StoreError::Unavailable`]); nothing
    /// was changed and the caller may retry shortly (503).
    DatabaseUnavailable,
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
    /// A unique key or other constraint refused the write.
    #[error("constraint {0} violated")]
    Conflict(Constraint),
    /// The row to change does not exist in the caller's scope.
    #[error("not found")]
    NotFound,
    /// The row changed since it was read: its `version` is no longer the one
    /// the change was computed from (optimistic concurrency).
    #[error("the row changed since it was read")]
    Stale,
    /// The database could not be reached, or a connection died under the
    /// statement, or writers queued past the busy timeout: nothing was
    /// written and the request may be sent again (503 with `Retry-After`).
    #[error("database unavailable: {0}")]
    Unavailable(Fault),
    /// Any other failure of the database or of the data it returned.
    #[error("storage failure: {0}")]
    Backend(Fault),
}

impl StoreError {
    /// A failure described by words only (a row the schema forbids, say).
    pub fn backend(message: impl Into<String>) -> Self {
        Self::Backend(Fault::message(message))
    }

    /// The kind a domain error takes on when it carries this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Unavailable(_) => ErrorKind::DatabaseUnavailable,
            // A conflict or stale row a use case did not turn into its own
            // refusal is a fault of ours.
            Self::Conflict(_) | Self::Stale | Self::Backend(_) => ErrorKind::Internal,
        }
    }
}

/// The typed cause of a storage failure, kept for the log (the problem sent
/// to the client never shows it).
#[derive(Clone)]
pub struct Fault(std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Fault {
    /// Wraps the typed error.
    pub fn new(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(source))
    }

    /// A fault with only a message.
    pub fn message(message: impl Into<String>) -> Self {
        Self::new(Message(message.into()))
    }

    /// The typed error, for code that must tell causes apart.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl std::fmt::Debug for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

/// Two faults are equal when they say the same: tests compare errors, and
/// the sources (driver errors) have no equality of their own.
impl PartialEq for Fault {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Fault {}

#[derive(Debug)]
struct Message(String);

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

/// The constraints a use case turns into its own refusal. Persistence maps
/// the database's constraint names onto these in one table
/// (`persistence::constraints`); a name outside it stays [`Constraint::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// One account per e-mail.
    UserEmail,
    /// One provider profile per user.
    ProviderOfUser,
    /// One pending ban request per provider.
    BanRequestOfProvider,
    /// One tenant per slug.
    TenantSlug,
    /// One catalog service per slug.
    ServiceSlug,
    /// One catalog service per name.
    ServiceName,
    /// One pending invitation per tenant and e-mail.
    PendingInvitation,
    /// One contact per tenant and marketplace user.
    ContactOfMarketplaceUser,
    /// One portal contact per tenant and e-mail.
    ContactEmail,
    /// One payment per tenant and idempotency key.
    PaymentIdempotencyKey,
    /// One dispute per job.
    DisputeOfJob,
    /// One dispute per attachment.
    DisputeOfAttachment,
    /// The once-per-job event kinds (accepted, completed, …) happen once.
    JobEventOnce,
    /// One rating per job.
    RatingOfJob,
    /// A listing names a catalog service.
    ListingService,
    /// A sale's invoice is no longer in the state the sale's edge expects
    /// (moved through billing meanwhile).
    SaleInvoiceMoved,
    /// Two live holds or bookings of one provider would overlap.
    SlotTaken,
    /// One reschedule proposal awaits its answer per job.
    ReschedulePending,
    /// Any other constraint, by its name.
    Other(String),
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Other(name) => write!(f, "`{name}`"),
            known => write!(f, "{known:?}"),
        }
    }
}

/// What the HTTP layer needs from any domain error to answer it; the one
/// conversion to a problem (`apps/api/src/http/problem.rs`) reads only this.
pub trait Refusal: std::error::Error + Send + Sync + 'static {
    /// The kind, which gives the status.
    fn kind(&self) -> ErrorKind;
    /// The stable machine-readable code.
    fn code(&self) -> crate::Code;
    /// The invalid fields of a 422.
    fn fields(&self) -> Vec<FieldError> {
        Vec::new()
    }
    /// Seconds of `Retry-After`, for a quota or a busy resource.
    fn retry_after_secs(&self) -> Option<u64> {
        None
    }
}

/// The code of a problem caused by a storage failure a use case did not
/// turn into its own refusal.
pub fn store_code(e: &StoreError) -> crate::Code {
    match e.kind() {
        ErrorKind::NotFound => crate::Code::NotFound,
        ErrorKind::DatabaseUnavailable => crate::Code::Unavailable,
        _ => crate::Code::Internal,
    }
}

/// A storage failure that reaches the HTTP layer untranslated.
impl Refusal for StoreError {
    fn kind(&self) -> ErrorKind {
        StoreError::kind(self)
    }

    fn code(&self) -> crate::Code {
        store_code(self)
    }
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
/// use kernel::Refusal;
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
            /// Storage failed (500, or 503 when unreachable).
            #[error(transparent)]
            Store($crate::StoreError),
            /// Another port failed (500).
            #[error("internal error: {0}")]
            Internal(String),
        }

        impl $name {
            /// One invalid field.
            pub fn field(field: &str, message: impl Into<String>) -> Self {
                Self::Validation(vec![$crate::FieldError::new(field, message)])
            }

        }

        impl $crate::error::Refusal for $name {
            fn kind(&self) -> $crate::ErrorKind {
                match self {
                    Self::Validation(_) => $crate::ErrorKind::Validation,
                    Self::NotFound => $crate::ErrorKind::NotFound,
                    Self::Forbidden(_) => $crate::ErrorKind::Forbidden,
                    Self::Conflict(_) => $crate::ErrorKind::Conflict,
                    Self::Store(e) => e.kind(),
                    Self::Internal(_) => $crate::ErrorKind::Internal,
                }
            }

            fn code(&self) -> $crate::Code {
                match self {
                    Self::Validation(_) => $crate::Code::ValidationFailed,
                    Self::NotFound => $crate::Code::NotFound,
                    Self::Forbidden(_) => $crate::Code::Forbidden,
                    Self::Conflict(_) => $crate::Code::Conflict,
                    Self::Store(e) => $crate::error::store_code(e),
                    Self::Internal(_) => $crate::Code::Internal,
                }
            }

            fn fields(&self) -> Vec<$crate::FieldError> {
                match self {
                    Self::Validation(fields) => fields.clone(),
                    _ => Vec::new(),
                }
            }
        }

        impl From<$crate::StoreError> for $name {
            fn from(e: $crate::StoreError) -> Self {
                match e {
                    $crate::StoreError::NotFound => Self::NotFound,
                    other => Self::Store(other),
                }
            }
        }
    };
}
