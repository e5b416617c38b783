//! Plain data of the identity domain.

use kernel::{ProviderId, Role, TenantId, Timestamp, UserId, Zipcode};

use crate::values::{Email, PersonName, Phone};

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// Temporarily refused.
    Suspended,
    /// Permanently refused.
    Banned,
}

impl UserStatus {
    /// Every status.
    pub const ALL: [UserStatus; 3] = [
        UserStatus::Active,
        UserStatus::Suspended,
        UserStatus::Banned,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Suspended => "suspended",
            UserStatus::Banned => "banned",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A user as the rest of the system sees it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Lowercase e-mail.
    pub email: String,
    /// Whether the e-mail was verified.
    pub email_verified: bool,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Phone, if given.
    pub phone: Option<String>,
    /// Sign-in status.
    pub status: UserStatus,
    /// Roles held, sorted.
    pub roles: Vec<Role>,
    /// Back-office tenant, if any.
    pub tenant_id: Option<TenantId>,
    /// `owner` or `staff` within that tenant.
    pub tenant_role: Option<String>,
    /// The region this user manages, when an LSM.
    pub lsm_region: Option<String>,
    /// When the account was made.
    pub created_at: Timestamp,
}

impl User {
    /// Suspended and banned users can neither log in nor refresh.
    pub fn ensure_may_sign_in(&self) -> Result<(), crate::IdentityError> {
        match self.status {
            UserStatus::Active => Ok(()),
            other => Err(crate::IdentityError::AccountDisabled(other.as_str())),
        }
    }
}

/// A user with the stored password hash, for login only.
#[derive(Debug, Clone)]
pub struct UserWithSecret {
    /// The user.
    pub user: User,
    /// The argon2id PHC string.
    pub password_hash: String,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Normalised e-mail.
    pub email: Email,
    /// argon2id PHC string.
    pub password_hash: String,
    /// First name.
    pub first_name: PersonName,
    /// Last name.
    pub last_name: PersonName,
    pub phone: Option<Phone>,
    /// Roles to grant.
    pub roles: Vec<Role>,
    /// A customer profile to create along with the user.
    pub customer: Option<CustomerProfile>,
    /// The e-mail verification token (and its e-mail) stored with the user.
    pub verification: Option<crate::account::PendingToken>,
    /// When, from the use case's clock.
    pub created_at: Timestamp,
}

/// The customer side of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerProfile {
    /// Home zipcode, if given.
    pub zipcode: Option<Zipcode>,
    /// Region of that zipcode, when served.
    pub region_code: Option<String>,
}

/// The provider side of a user, as far as identity shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSummary {
    /// Provider id.
    pub id: ProviderId,
    /// Business name.
    pub business_name: String,
    /// Onboarding status.
    pub status: String,
}

/// What `GET /me` shows: the user and each profile they have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The user.
    pub user: User,
    /// Customer profile.
    pub customer: Option<CustomerProfile>,
    /// Provider profile.
    pub provider: Option<ProviderSummary>,
}

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// Row id.
    pub id: i64,
    pub user_id: UserId,
    /// All tokens rotated from one login share a family.
    pub family_id: String,
    /// End of validity.
    pub expires_at: Timestamp,
    /// Set once rotated or revoked.
    pub revoked_at: Option<Timestamp>,
}

/// A refresh token to store (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    pub user_id: UserId,
    /// SHA-256 of the secret.
    pub token_hash: String,
    pub family_id: String,
    /// End of validity.
    pub expires_at: Timestamp,
    /// When, from the use case's clock.
    pub created_at: Timestamp,
    /// The client's `User-Agent`, shown in the sessions list.
    pub user_agent: Option<String>,
}

/// A signed access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// A refresh secret and the hash that is stored for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSecret {
    /// Handed to the client once.
    pub plain: String,
    pub hash: String,
}

/// The result of register, login and refresh.
#[derive(Debug, Clone)]
pub struct Session {
    /// The signed-in user.
    pub user: User,
    /// Access token.
    pub access: AccessToken,
    /// The new refresh token.
    pub refresh_token: String,
}
