//! Wire types of the admin's catalog edits: services with their keywords and
//! intake questions, and regions with their zip prefixes.

use serde::Deserialize;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type,
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

/// A region's zone when the admin names none.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// An IANA zone name the server knows.
fn iana_zone(name: &str) -> Result<(), ValidationError> {
    if catalog::valid_time_zone(name) {
        Ok(())
    } else {
        Err(refused(
            "time_zone",
            "must be an IANA time zone such as America/New_York",
        ))
    }
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
    /// Its IANA time zone, the default zone of its providers' hours; `UTC`
    /// when omitted.
    #[schema(example = "America/New_York", max_length = 64)]
    #[validate(length(max = 64), custom(function = "iana_zone"))]
    pub time_zone: Option<String>,
    /// 3-digit zip prefixes no other region claims, each once.
    #[schema(value_type = std::collections::BTreeSet<ZipPrefix>)]
    #[validate(custom(function = "each_zip_prefix"))]
    pub zip_prefixes: Vec<String>,
}

#[cfg(test)]
#[path = "admin_catalog_dto_tests.rs"]
mod tests;
