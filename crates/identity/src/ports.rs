//! What the identity use cases need from the outside world.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::Clock;
use kernel::{Role, StoreError, Timestamp, UserId, Zipcode};

use crate::account::{OneTimeToken, PendingToken, SessionInfo};
use crate::model::{
    AccessToken, NewRefreshToken, NewUser, Profile, RefreshRecord, RefreshSecret, User,
    UserWithSecret,
};
use crate::values::Email;

/// Users and their roles.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Creates the user, its roles and its customer profile in one transaction.
    /// A taken e-mail is `StoreError::Conflict(Constraint::UserEmail)`.
    async fn create(&self, user: NewUser) -> Result<User, StoreError>;
    /// Finds a user by normalised e-mail, with the password hash.
    async fn find_by_email(&self, email: &Email) -> Result<Option<UserWithSecret>, StoreError>;
    /// Finds a user by id.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;
    /// The user with every profile they have.
    async fn profile(&self, id: UserId) -> Result<Option<Profile>, StoreError>;
    /// Grants a role; granting one already held changes nothing.
    async fn grant_role(&self, id: UserId, role: Role, at: Timestamp) -> Result<(), StoreError>;
    /// The stored password hash of a user who may sign in (none once closed).
    async fn password_hash(&self, id: UserId) -> Result<Option<String>, StoreError>;
    /// Sets a new password hash and revokes every live refresh token of the
    /// user except those of `keep_family` — one transaction.
    async fn set_password(
        &self,
        id: UserId,
        password_hash: String,
        keep_family: Option<String>,
        now: Timestamp,
    ) -> Result<(), StoreError>;
}

/// Refresh tokens, stored hashed.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync {
    /// Stores a new token.
    async fn insert(&self, token: NewRefreshToken) -> Result<(), StoreError>;
    /// Finds a token by the hash of its secret.
    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError>;
    /// Atomically revokes `old_id` (only if still live) and stores `next`.
    /// Returns `false`, storing nothing, when `old_id` was already revoked —
    /// which means the token was used twice.
    async fn rotate(
        &self,
        old_id: i64,
        next: NewRefreshToken,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Revokes every live token of a family.
    async fn revoke_family(&self, family_id: &str, now: Timestamp) -> Result<(), StoreError>;
    /// The user's live sessions (families with a live token), newest use first.
    async fn sessions(&self, user: UserId, now: Timestamp) -> Result<Vec<SessionInfo>, StoreError>;
    /// Revokes one of the user's sessions; `false` when the user has no live
    /// session with that id (another user's id included).
    async fn revoke_session(
        &self,
        user: UserId,
        family_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// One-time account tokens (e-mail verification, password reset).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountTokenRepository: Send + Sync {
    /// Marks the user's unused tokens of the purpose used, stores the new one
    /// and queues its e-mail to the user's address — one transaction.
    async fn issue(&self, user: UserId, token: PendingToken) -> Result<(), StoreError>;
    /// Finds a token by the hash of its secret.
    async fn find(&self, token_hash: &str) -> Result<Option<OneTimeToken>, StoreError>;
    /// Marks the token used — only if still unused and unexpired at `now` —
    /// and sets the user's `email_verified`. `false`, changing nothing, when
    /// another redemption won.
    async fn redeem_verification(
        &self,
        token: &OneTimeToken,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Marks the token used as above, sets the password hash and revokes every
    /// refresh token of the user — one transaction. `false` when another
    /// redemption won.
    async fn redeem_reset(
        &self,
        token: &OneTimeToken,
        password_hash: String,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// Leaving the platform: the export (closing itself is a unit of work,
/// [`crate::closure`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountClosure: Send + Sync {
    /// The user's own data: profile, roles, jobs, messages sent, ratings
    /// given, notifications.
    async fn export(&self, user: UserId) -> Result<serde_json::Value, StoreError>;
}

/// Why a password could not be hashed or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot is taken and the wait queue is full (or the wait ran
    /// out): hashing is memory-hungry, so its concurrency is bounded. Retry shortly.
    #[error("password hashing is busy; retry shortly")]
    Busy,
    /// The hasher failed.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Password hashing (argon2id in production).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password into a PHC string.
    async fn hash(&self, password: &str) -> Result<String, HashError>;
    /// Checks a password; with `None` it spends the same time on a dummy hash
    /// and answers `false`, so unknown e-mails cannot be told apart by timing.
    async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, HashError>;
}

/// Token signing and refresh-secret generation.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Signs an access token for the user's session (refresh-token family).
    fn issue_access(&self, user: &User, session: &str) -> Result<AccessToken, String>;
    /// A fresh random refresh secret and its hash.
    fn new_refresh_secret(&self) -> RefreshSecret;
    /// The hash stored for a refresh secret.
    fn hash_refresh(&self, plain: &str) -> String;
    /// A fresh id for a token family.
    fn new_family_id(&self) -> String;
}

/// Zipcode → region, for customer profiles.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait RegionLookup: Send + Sync {
    /// The served region of a zipcode, if any.
    fn region_for(&self, zipcode: &Zipcode) -> Option<String>;
}

/// The ports [`AccountService`] runs on.
#[allow(missing_debug_implementations)]
pub struct AccountPorts {
    pub users: Arc<dyn UserRepository>,
    /// Refresh tokens.
    pub tokens: Arc<dyn RefreshTokenRepository>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Token signing.
    pub issuer: Arc<dyn TokenIssuer>,
    /// Zipcode → region.
    pub regions: Arc<dyn RegionLookup>,
    /// One-time account tokens.
    pub account_tokens: Arc<dyn AccountTokenRepository>,
    /// The export.
    pub closure: Arc<dyn AccountClosure>,
    /// Units of work that close accounts.
    pub closures: Arc<dyn crate::closure::ClosureUnits>,
    pub clock: Arc<dyn Clock>,
}
