//! Wire types: what clients send and receive. Domain types convert into these.

use catalog::{Question, QuestionKind, Region, Service};
use identity::{Profile, Session, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// `POST /auth/register`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// E-mail; unique, case-insensitively.
    #[schema(example = "ann@example.com")]
    pub email: String,
    /// 10 to 128 characters. (No `#[validate]` here: the identity crate checks
    /// it together with the other fields, so a client sees every bad field at once.)
    #[schema(example = "correct horse battery", min_length = 10, max_length = 128)]
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// `customer` or `provider`.
    #[schema(example = "customer", value_type = super::enums::RegisterRole)]
    pub role: String,
    /// Phone, 7 to 15 digits.
    pub phone: Option<String>,
    /// Home zipcode (12345 or 12345-6789).
    #[schema(example = "10001")]
    pub zipcode: Option<String>,
}

/// `POST /auth/login`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token last received.
    pub refresh_token: String,
}

/// A user as clients see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Id.
    pub id: i64,
    /// Lowercase e-mail.
    pub email: String,
    /// Whether the e-mail was verified.
    pub email_verified: bool,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// `active`, `suspended` or `banned`.
    pub status: String,
    /// Roles held.
    #[schema(value_type = Vec<String>, example = json!(["customer"]))]
    pub roles: Vec<kernel::Role>,
    /// Back-office tenant.
    pub tenant_id: Option<i64>,
    /// `owner` or `staff`.
    pub tenant_role: Option<String>,
    /// Created.
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

/// Query of `GET /services`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// One of the categories (`home_repair`, `cleaning`, `outdoor`, `moving`, `pets`, `wellness`, `events`, `tech_help`, `auto`).
    #[param(value_type = Option<super::enums::Category>)]
    pub category: Option<String>,
    /// Text in the name, slug or a keyword (case-insensitive).
    pub q: Option<String>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An intake question.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDto {
    /// Answer key.
    pub key: String,
    /// Question text.
    pub label: String,
    /// `text`, `number`, `choice`, `boolean` or `date`.
    pub kind: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// Allowed answers for `choice`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

fn kind_name(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Text => "text",
        QuestionKind::Number => "number",
        QuestionKind::Choice => "choice",
        QuestionKind::Boolean => "boolean",
        QuestionKind::Date => "date",
    }
}

impl From<&Question> for QuestionDto {
    fn from(q: &Question) -> Self {
        Self {
            key: q.key.clone(),
            label: q.label.clone(),
            kind: kind_name(q.kind).to_owned(),
            required: q.required,
            options: q.options.clone(),
        }
    }
}

/// A catalog service in lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDto {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// URL name.
    pub slug: String,
    /// One sentence.
    pub description: String,
    /// Category.
    pub category: String,
    /// Synonyms.
    pub keywords: Vec<String>,
    /// Globally popular.
    pub is_popular: bool,
}

impl From<&Service> for ServiceDto {
    fn from(s: &Service) -> Self {
        let d = &s.definition;
        Self {
            id: s.id.0,
            name: d.name.clone(),
            slug: d.slug.clone(),
            description: d.description.clone(),
            category: d.category.as_str().to_owned(),
            keywords: d.keywords.clone(),
            is_popular: s.is_popular,
        }
    }
}

/// A catalog service with its intake questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDetailDto {
    /// The service.
    #[serde(flatten)]
    pub service: ServiceDto,
    /// Questions asked when booking.
    pub questions: Vec<QuestionDto>,
}

/// A page of services.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServicePage {
    /// Services.
    pub items: Vec<ServiceDto>,
    /// Cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A region.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDto {
    /// Code, e.g. `nyc`.
    pub code: String,
    /// Name.
    pub name: String,
    /// 3-digit zip prefixes served.
    pub zip_prefixes: Vec<String>,
}

impl From<&Region> for RegionDto {
    fn from(r: &Region) -> Self {
        Self {
            code: r.code.clone(),
            name: r.name.clone(),
            zip_prefixes: r.zip_prefixes.clone(),
        }
    }
}

/// All regions (one page: the list is short).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionPage {
    /// Regions, by code.
    pub items: Vec<RegionDto>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}
