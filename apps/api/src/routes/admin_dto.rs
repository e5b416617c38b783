//! Wire types of the admin routes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use supply::ports::{AuditRecord, Lsm};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use validator::Validate;

/// `POST /admin/lsms`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateLsmRequest {
    /// E-mail (the LSM's login), up to 254 characters.
    #[schema(min_length = 1, max_length = 254)]
    #[validate(length(min = 1, max = 254), custom(function = "super::dto::email"))]
    pub email: String,
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    #[validate(length(min = 10, max = 128))]
    pub password: String,
    /// First name, up to 100 characters (not blank).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(
        length(min = 1, max = 100),
        custom(function = "super::dto::person_name")
    )]
    pub first_name: String,
    /// Last name, up to 100 characters (not blank).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(
        length(min = 1, max = 100),
        custom(function = "super::dto::person_name")
    )]
    pub last_name: String,
    /// The code of the region the LSM manages.
    #[schema(example = "nyc", pattern = "^[a-z0-9_]{2,16}$")]
    #[validate(custom(function = "super::dto::region_code"))]
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
    pub items: Vec<LsmAccountDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// The platform settings: every key with its value in force.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"response_deadline_minutes": 60, "warning_threshold": 3, "popularity_window_days": 7,
    "popularity_top_k": 5, "popularity_min_searches": 10, "platform_fee_bps": 1000, "rejected_reapply_cooldown_days": 90,
    "demand_digest_minutes": 60, "open_requests_per_pair": 3, "open_requests_per_customer": 10, "chat_posts_per_minute": 30,
    "upload_files_per_day": 100, "upload_bytes_per_day": 52428800, "upload_bytes_stored": 524288000, "sale_notices_per_hour": 60,
    "default_slot_minutes": 60, "default_buffer_minutes": 0, "default_min_notice_minutes": 120, "default_horizon_days": 60,
    "cancellation_fee_cap_bps": 10000, "reminder_hours_before": 24}))]
pub struct SettingsDto(pub std::collections::BTreeMap<String, i64>);

/// `PATCH /admin/settings`: `{key: integer}`. The keys and their ranges are
/// the settings' own rules (`supply::PlatformSettings`), checked all at once.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct SettingsPatch(pub serde_json::Map<String, serde_json::Value>);

/// One integer property per setting, with its range; no other key.
impl utoipa::PartialSchema for SettingsPatch {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The settings to change (at least one), each an integer in its range; unknown keys are refused.",
            ))
            .min_properties(Some(1))
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
        for key in effects::settings::KEYS {
            object = object.property(
                key.name,
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(key.min))
                    .maximum(Some(key.max))
                    .description(Some(format!("Default {}.", key.default))),
            );
        }
        object.into()
    }
}

impl ToSchema for SettingsPatch {}

impl Validate for SettingsPatch {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

/// A line of the decisions log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub actor_user_id: i64,
    /// As what (`lsm`, `admin`).
    #[schema(value_type = super::enums::Role)]
    pub actor_role: String,
    /// What (`provider.approve`).
    pub action: String,
    /// On what kind of thing.
    pub entity_type: String,
    /// Which one.
    pub entity_id: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
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

/// `PUT /admin/popularity/{service_id}`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    /// Region code; absent means every region.
    #[schema(example = "nyc", pattern = "^[a-z0-9_]{2,16}$")]
    #[validate(custom(function = "super::dto::region_code"))]
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
