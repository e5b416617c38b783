//! The shared vocabulary of STM: typed ids, money, roles and the request context,
//! the clock, pagination and the error kinds every domain crate maps onto.
//!
//! Nothing here performs I/O; every other crate may depend on it.

pub mod clock;
pub mod code;
pub mod ctx;
pub mod dates;
pub mod error;
pub mod id;
pub mod money;
pub mod money_text;
pub mod page;
pub mod precondition;
pub mod quota;
pub mod text;
pub mod verified;
pub mod zipcode;

pub use clock::{Clock, FixedClock, SystemClock};
pub use code::Code;
pub use ctx::{Ctx, Role, UnknownRole, Viewer};
pub use error::{Constraint, ErrorKind, Fault, FieldError, Refusal, StoreError};
pub use id::{ProviderId, ServiceId, TenantId, UserId};
pub use money::{Currency, Money, MoneyError};
pub use page::{Cursor, Page, PageRequest};
pub use precondition::Precondition;
pub use quota::{QuotaExceeded, WindowUse};
pub use text::{TextIssue, check_text, fold_keyword, is_clean_text, normalize_identity};
pub use verified::{EmailVerification, VerifiedEmailPolicy};
pub use zipcode::Zipcode;

/// A timestamp in UTC; every time in STM is one.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
