//! Wire types: what clients send and receive. Domain types convert into these.

use identity::{Profile, Session, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::http::rules::{refused, verdict};

/// `?limit=&cursor=`: the query of every list without a filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A region code: 2 to 16 of `a-z`, `0-9` and `_` (`catalog::RegionDirectory`
/// refuses any other code, so no region can be named otherwise).
pub const REGION_CODE: &str = "^[a-z0-9_]{2,16}$";

/// [`REGION_CODE`], on the raw text.
pub fn region_code(s: &str) -> Result<(), ValidationError> {
    let ok = (2..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(refused("region_code", "must be 2 to 16 of a-z, 0-9 and _"))
    }
}

/// `identity::Email` (when the length rule, reported apart, holds).
pub(crate) fn email(s: &str) -> Result<(), ValidationError> {
    if !(1..=EMAIL_MAX).contains(&s.chars().count()) {
        return Ok(());
    }
    verdict(identity::Email::parse(s))
}

/// `identity::PersonName` (when the length rule, reported apart, holds).
pub(crate) fn person_name(s: &str) -> Result<(), ValidationError> {
    if !(1..=NAME_MAX).contains(&s.chars().count()) {
        return Ok(());
    }
    verdict(identity::PersonName::parse("name", s))
}

/// Longest e-mail of an account (`identity::Email`).
pub const EMAIL_MAX: usize = 254;

/// Longest first or last name (`identity::PersonName`).
pub const NAME_MAX: usize = 100;

/// `POST /auth/register`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// E-mail; unique, case-insensitively. Up to 254 characters.
    #[schema(example = "ann@example.com", min_length = 1, max_length = 254)]
    #[validate(length(min = 1, max = 254), custom(function = "email"))]
    pub email: String,
    /// 10 to 128 characters (counted untrimmed, as the identity crate does).
    #[schema(example = "correct horse battery", min_length = 10, max_length = 128)]
    #[validate(length(min = 10, max = 128))]
    pub password: String,
    /// First name, up to 100 characters (not blank).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100), custom(function = "person_name"))]
    pub first_name: String,
    /// Last name, up to 100 characters (not blank).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100), custom(function = "person_name"))]
    pub last_name: String,
    /// `customer` or `provider`.
    #[schema(example = "customer", value_type = super::enums::RegisterRole)]
    #[validate(custom(function = "super::enums::RegisterRole::check"))]
    pub role: String,
    /// Phone: an optional `+`, then 7 to 15 digits with spaces, dashes, dots
    /// and parentheses; up to 32 characters.
    #[schema(
        example = "212-555-0100",
        pattern = r"^\+?[ ().-]*([0-9][ ().-]*){7,15}$",
        max_length = 32
    )]
    #[validate(custom(function = "crate::http::rules::phone"))]
    pub phone: Option<String>,
    /// Home zipcode (12345 or 12345-6789).
    #[schema(example = "10001", pattern = "^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "crate::http::rules::zipcode"))]
    pub zipcode: Option<String>,
}

/// `POST /auth/login`. The bounds are the longest e-mail and password any
/// account can have; a wrong pair within them is a 401 that never says which.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail, up to 320 characters.
    #[schema(max_length = 320)]
    #[validate(length(max = 320))]
    pub email: String,
    /// Password, up to 128 characters.
    #[schema(max_length = 128)]
    #[validate(length(max = 128))]
    pub password: String,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token last received (43 characters as issued; up to 256 accepted).
    #[schema(max_length = 256)]
    #[validate(length(max = 256))]
    pub refresh_token: String,
}

/// A user as clients see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    /// Lowercase e-mail.
    pub email: String,
    /// Whether the e-mail was verified.
    pub email_verified: bool,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    pub phone: Option<String>,
    /// Whether the account may sign in.
    #[schema(value_type = super::enums::UserStatus)]
    pub status: String,
    /// Roles held.
    #[schema(value_type = Vec<super::enums::Role>, example = json!(["customer"]))]
    pub roles: Vec<kernel::Role>,
    /// Back-office tenant.
    pub tenant_id: Option<i64>,
    /// Place in the tenant.
    #[schema(value_type = Option<super::enums::TenantRole>)]
    pub tenant_role: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            email: u.email,
            email_verified: u.email_verified,
            first_name: u.first_name,
            last_name: u.last_name,
            phone: u.phone,
            status: u.status.as_str().to_owned(),
            roles: u.roles,
            tenant_id: u.tenant_id.map(|t| t.0),
            tenant_role: u.tenant_role,
            created_at: u.created_at,
        }
    }
}

/// Answer of register, login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    /// The signed-in user.
    pub user: UserDto,
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque; exchange at `/auth/refresh`. Single use.
    pub refresh_token: String,
}

impl From<Session> for SessionResponse {
    fn from(s: Session) -> Self {
        Self {
            user: s.user.into(),
            access_token: s.access.token,
            token_type: "Bearer",
            expires_in: s.access.expires_in,
            refresh_token: s.refresh_token,
        }
    }
}

/// Customer profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDto {
    /// Home zipcode.
    pub zipcode: Option<String>,
    /// Its region, when served.
    pub region_code: Option<String>,
}

/// Provider profile summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderSummaryDto {
    /// Provider id.
    pub id: i64,
    /// Business name.
    pub business_name: String,
    /// Onboarding status.
    #[schema(value_type = super::enums::ProviderStatus)]
    pub status: String,
}

/// LSM profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct LsmDto {
    /// Managed region.
    pub region_code: String,
}

/// `GET /me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// The user.
    pub user: UserDto,
    /// Customer profile, if any.
    pub customer: Option<CustomerDto>,
    /// Provider profile, if any.
    pub provider: Option<ProviderSummaryDto>,
    /// LSM profile, if any.
    pub lsm: Option<LsmDto>,
}

impl From<Profile> for MeResponse {
    fn from(p: Profile) -> Self {
        let lsm = p
            .user
            .lsm_region
            .clone()
            .map(|region_code| LsmDto { region_code });
        Self {
            customer: p.customer.map(|c| CustomerDto {
                zipcode: c.zipcode.map(|z| z.to_string()),
                region_code: c.region_code,
            }),
            provider: p.provider.map(|s| ProviderSummaryDto {
                id: s.id.0,
                business_name: s.business_name,
                status: s.status,
            }),
            lsm,
            user: p.user.into(),
        }
    }
}

pub use super::catalog_dto::*;

#[cfg(test)]
#[path = "dto_tests.rs"]
pub(crate) mod tests;
