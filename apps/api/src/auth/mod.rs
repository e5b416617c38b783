//! Authentication adapters: argon2id hashing, JWT signing and checking, the
//! login and registration rate limiters, and the extractors handlers use to learn who calls.

pub mod extract;
pub mod failures;
pub mod jwt;
pub mod limiter;
pub mod password;
pub mod revocations;
pub mod session;

pub use extract::{Admin, AuthUser, Customer, Lsm, MaybeUser, PortalUser, Provider, RequireRole};
pub use failures::Attempt;
pub use jwt::{JwtKeys, PortalKeys};
pub use limiter::{LoginLimiter, MailLimiter, RegistrationLimiter};
pub use password::{Argon2Hasher, HashLimits};
pub use revocations::Revocations;
pub use session::SignedIn;
