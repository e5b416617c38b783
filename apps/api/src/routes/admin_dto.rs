//! Wire types of the admin routes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use supply::ports::{AuditRecord, Lsm};
use utoipa::ToSchema;
use validator::Validate;

/// `POST /admin/lsms`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateLsmRequest {
    /// E-mail (the LSM's login).
    pub email: String,
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The region code the LSM manages.
    #[schema(example = "nyc")]
    pub region: String,
}

/// An LSM.
#[derive(Debug, Serialize, ToSchema)]
pub struct LsmAccountDto {
    /// `local_service_managers.id`.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// E-mail.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Region code.
    pub region: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<Lsm> for LsmAccountDto {
    fn from(l: Lsm) -> Self {
        Self {
            id: l.id,
            user_id: l.user_id.0,
            email: l.email,
            first_name: l.first_name,
            last_name: l.last_name,
            region: l.region,
            created_at: l.created_at,
        }
    }
}

/// A page of LSMs.
#[derive(Debug, Serialize, ToSchema)]
pub struct LsmPage {
    /// LSMs.
    pub items: Vec<LsmAccountDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// The platform settings: every key with its value in force.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"response_deadline_minutes": 60, "warning_threshold": 3, "popularity_window_days": 7,
    "popularity_top_k": 5, "popularity_min_searches": 10, "platform_fee_bps": 1000, "rejected_reapply_cooldown_days": 90,
    "demand_digest_minutes": 60}))]
pub struct SettingsDto(pub std::collections::BTreeMap<String, i64>);

/// `PATCH /admin/settings`: `{key: integer}`. The keys and their ranges are
/// the settings' own rules (`supply::PlatformSettings`), checked all at once.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct SettingsPatch(pub serde_json::Map<String, serde_json::Value>);

impl Validate for SettingsPatch {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

/// A line of the decisions log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    /// Id.
    pub id: i64,
    /// Who.
    pub actor_user_id: i64,
    /// As what (`lsm`, `admin`).
    pub actor_role: String,
    /// What (`provider.approve`).
    pub action: String,
    /// On what kind of thing.
    pub entity_type: String,
    /// Which one.
    pub entity_id: String,
    /// Details.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<AuditRecord> for AuditDto {
    fn from(a: AuditRecord) -> Self {
        Self {
            id: a.id,
            actor_user_id: a.entry.actor.0,
            actor_role: a.entry.actor_role.as_str().to_owned(),
            action: a.entry.action,
            entity_type: a.entry.entity_type,
            entity_id: a.entry.entity_id,
            data: a.entry.data,
            created_at: a.created_at,
        }
    }
}

/// A page of the decisions log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// `POST /admin/services` (and `PATCH` with an optional `status`).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequestBody {
    /// Unique display name.
    pub name: String,
    /// Unique kebab-case slug.
    pub slug: String,
    /// One sentence.
    pub description: String,
    /// Category (`pets`, `cleaning`, ...).
    #[schema(value_type = super::enums::Category)]
    pub category: String,
    /// Lowercase synonyms.
    pub keywords: Vec<String>,
    /// 2 to 5 intake questions `{key, label, kind, required, options?}`.
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<serde_json::Value>,
    /// `approved` or `retired` (PATCH only).
    #[schema(value_type = Option<super::enums::ServiceStatus>)]
    pub status: Option<String>,
}

/// `PATCH /admin/services/{id}`: any field; the rest stays.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServicePatchBody {
    /// Display name.
    pub name: Option<String>,
    /// Slug.
    pub slug: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Keywords.
    pub keywords: Option<Vec<String>>,
    /// Questions.
    #[schema(value_type = Option<Vec<Object>>)]
    pub questions: Option<Vec<serde_json::Value>>,
    /// `approved` or `retired`.
    pub status: Option<String>,
}

/// `POST /admin/regions`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    /// Code, 2–16 of `a-z0-9_`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// 3-digit zip prefixes no other region claims.
    pub zip_prefixes: Vec<String>,
}

/// `PUT /admin/popularity/{service_id}`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    /// Region code; absent means every region.
    pub region: Option<String>,
    /// Forced value; `null` clears the override. Required: an empty body must not clear anything.
    #[serde(deserialize_with = "required_nullable")]
    #[schema(value_type = Option<bool>, required = true)]
    pub is_popular: Option<Option<bool>>,
}

/// What a popularity change touched.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowsDto {
    /// Rows written.
    pub rows: u64,
}

/// A field that must be present but may be `null`.
fn required_nullable<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
