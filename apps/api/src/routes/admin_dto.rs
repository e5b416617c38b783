//! Wire types of the admin routes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use supply::ports::{AuditRecord, Lsm};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};
use validator::{Validate, ValidationError};

use crate::http::rules::{self, refused};

/// A catalog service's slug: lowercase letters, digits and dashes
/// (`catalog::ServiceDefinition::check`), 1 to [`SERVICE_SLUG_MAX`] characters.
pub const SERVICE_SLUG: &str = "^[a-z0-9-]+$";

/// Longest service slug.
pub const SERVICE_SLUG_MAX: usize = 100;

/// Longest keyword of a service, in characters.
pub const KEYWORD_MAX: usize = 200;

/// A 3-digit zip prefix of a region.
pub const ZIP_PREFIX: &str = "^[0-9]{3}$";

/// [`SERVICE_SLUG`] (the length is checked apart).
fn service_slug(s: &str) -> Result<(), ValidationError> {
    if s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(())
    } else {
        Err(refused(
            "slug",
            "must be lowercase letters, digits and dashes",
        ))
    }
}

/// Each keyword is 1 to [`KEYWORD_MAX`] characters ([`ServiceKeyword`]).
fn each_keyword(list: &[String]) -> Result<(), ValidationError> {
    rules::every(
        list,
        |k| (1..=KEYWORD_MAX).contains(&k.chars().count()),
        "keywords",
        format!("each keyword must be 1 to {KEYWORD_MAX} characters"),
    )
}

/// Each prefix matches [`ZIP_PREFIX`], and none comes twice (`uniqueItems`).
fn each_zip_prefix(list: &[String]) -> Result<(), ValidationError> {
    rules::every(
        list,
        |p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()),
        "zip_prefixes",
        "each prefix must be 3 digits",
    )?;
    rules::distinct(list, "each prefix may be listed once")
}

/// A keyword of a catalog service, as the document states it.
#[derive(Debug)]
pub struct ServiceKeyword;

impl utoipa::PartialSchema for ServiceKeyword {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A lowercase synonym, 1 to 200 characters."))
            .min_length(Some(1))
            .max_length(Some(KEYWORD_MAX))
            .into()
    }
}

impl ToSchema for ServiceKeyword {}

/// A region's 3-digit zip prefix, as the document states it.
#[derive(Debug)]
pub struct ZipPrefix;

impl utoipa::PartialSchema for ZipPrefix {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A 3-digit zip prefix."))
            .pattern(Some(ZIP_PREFIX))
            .into()
    }
}

impl ToSchema for ZipPrefix {}

/// A question's key: lowercase letters, digits and underscores.
pub const QUESTION_KEY: &str = "^[a-z0-9_]+$";

/// An intake question of a catalog service, as the document states it. The
/// server reads each into `catalog::Question` (unknown, missing or mistyped
/// fields are a 422) and `ServiceDefinition::check` holds every bound stated
/// here on the raw text: key, label and options of 1 to 200 characters;
/// `min`/`max` only on `number` questions, `min ≤ max`.
#[derive(Debug)]
pub struct ServiceQuestion;

fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(Some(1))
        .max_length(Some(KEYWORD_MAX))
}

fn bound(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .description(Some(description))
}

impl utoipa::PartialSchema for ServiceQuestion {
    fn schema() -> RefOr<Schema> {
        let key = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Answer key, unique within the service (`snake_case`).",
            ))
            .pattern(Some(QUESTION_KEY));
        let kind = <super::enums::QuestionKind as utoipa::PartialSchema>::schema();
        let options = ArrayBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
            .description(Some("Two or more answers, on `choice` questions only."))
            .items(text("An allowed answer."))
            .min_items(Some(2));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("An intake question asked when booking."))
            .property("key", key)
            .property("label", text("The question as shown."))
            .property("kind", kind)
            .property(
                "required",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .description(Some("Whether an answer is needed.")),
            )
            .property("options", options)
            .property(
                "min",
                bound("Smallest answer of a `number` question (whole number); absent means 0."),
            )
            .property(
                "max",
                bound("Largest answer of a `number` question (whole number, at least `min`); absent means no bound."),
            )
            .required("key")
            .required("label")
            .required("kind")
            .required("required")
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ServiceQuestion {}

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
    "demand_digest_minutes": 60, "open_requests_per_pair": 3, "open_requests_per_customer": 10, "chat_posts_per_minute": 30,
    "upload_files_per_day": 100, "upload_bytes_per_day": 52428800, "upload_bytes_stored": 524288000, "sale_notices_per_hour": 60}))]
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
    /// Id.
    pub id: i64,
    /// Who.
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

/// `POST /admin/services`: a new service is approved.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequestBody {
    /// Unique display name, up to 100 characters (not blank).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// Unique slug: lowercase letters, digits and dashes, up to 100.
    #[schema(pattern = "^[a-z0-9-]+$", min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100), custom(function = "service_slug"))]
    pub slug: String,
    /// One sentence, up to 2000 characters.
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub description: String,
    /// Category (`pets`, `cleaning`, ...).
    #[schema(value_type = super::enums::Category)]
    pub category: String,
    /// Lowercase synonyms, each 1 to 200 characters.
    #[schema(value_type = Vec<ServiceKeyword>)]
    #[validate(custom(function = "each_keyword"))]
    pub keywords: Vec<String>,
    /// 2 to 5 intake questions `{key, label, kind, required, options?, min?, max?}`.
    #[schema(value_type = Vec<ServiceQuestion>, min_items = 2, max_items = 5)]
    #[validate(length(min = 2, max = 5))]
    pub questions: Vec<serde_json::Value>,
}

/// `PATCH /admin/services/{id}`: any field; the rest stays.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServicePatchBody {
    /// Display name, up to 100 characters (not blank).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub name: Option<String>,
    /// Slug: lowercase letters, digits and dashes, up to 100.
    #[schema(pattern = "^[a-z0-9-]+$", min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100), custom(function = "service_slug"))]
    pub slug: Option<String>,
    /// Description, up to 2000 characters.
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub description: Option<String>,
    /// Category.
    #[schema(value_type = Option<super::enums::Category>)]
    pub category: Option<String>,
    /// Keywords (replace the list), each 1 to 200 characters.
    #[schema(value_type = Option<Vec<ServiceKeyword>>)]
    #[validate(custom(function = "each_keyword"))]
    pub keywords: Option<Vec<String>>,
    /// 2 to 5 questions (replace the list).
    #[schema(value_type = Option<Vec<ServiceQuestion>>, min_items = 2, max_items = 5)]
    #[validate(length(min = 2, max = 5))]
    pub questions: Option<Vec<serde_json::Value>>,
    /// `approved` or `retired`.
    #[schema(value_type = Option<super::enums::ServiceStatus>)]
    pub status: Option<String>,
}

/// `POST /admin/regions`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    /// Code, 2–16 of `a-z0-9_`.
    #[schema(example = "nyc", pattern = "^[a-z0-9_]{2,16}$")]
    #[validate(custom(function = "super::dto::region_code"))]
    pub code: String,
    /// Display name, up to 255 characters (not blank).
    #[schema(min_length = 1, max_length = 255)]
    #[validate(length(min = 1, max = 255))]
    pub name: String,
    /// 3-digit zip prefixes no other region claims, each once.
    #[schema(value_type = std::collections::BTreeSet<ZipPrefix>)]
    #[validate(custom(function = "each_zip_prefix"))]
    pub zip_prefixes: Vec<String>,
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

#[cfg(test)]
#[path = "admin_dto_tests.rs"]
mod tests;
