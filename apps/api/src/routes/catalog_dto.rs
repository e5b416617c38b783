//! Wire types of the catalog: services with their questions, and regions.

use catalog::{Question, Region, Service};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// Query of `GET /services`.
#[derive(Debug, Deserialize, utoipa::IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// One of the categories (`home_repair`, `cleaning`, `outdoor`, `moving`, `pets`, `wellness`, `events`, `tech_help`, `auto`).
    #[param(value_type = Option<super::enums::Category>)]
    pub category: Option<String>,
    /// Text in the name, slug or a keyword (case-insensitive), up to 100 characters.
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
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
    #[schema(value_type = super::enums::QuestionKind)]
    pub kind: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// Allowed answers for `choice`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Smallest answer a `number` question takes (0 unless the service says
    /// otherwise); absent on other kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Largest answer a `number` question takes; absent when unbounded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

impl From<&Question> for QuestionDto {
    fn from(q: &Question) -> Self {
        let number = q.kind == catalog::QuestionKind::Number;
        Self {
            key: q.key.clone(),
            label: q.label.clone(),
            kind: q.kind.as_str().to_owned(),
            required: q.required,
            options: q.options.clone(),
            min: number.then(|| q.lower_bound()),
            max: q.max.filter(|_| number),
        }
    }
}

/// A catalog service in lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDto {
    pub id: i64,
    pub name: String,
    /// URL name.
    pub slug: String,
    /// One sentence.
    pub description: String,
    #[schema(value_type = super::enums::Category)]
    pub category: String,
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
    pub items: Vec<ServiceDto>,
    /// Cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A region.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionDto {
    /// Code, e.g. `nyc`.
    pub code: String,
    pub name: String,
    /// Its IANA time zone, e.g. `America/New_York`.
    pub time_zone: String,
    /// 3-digit zip prefixes served.
    pub zip_prefixes: Vec<String>,
}

impl From<&Region> for RegionDto {
    fn from(r: &Region) -> Self {
        Self {
            code: r.code.clone(),
            name: r.name.clone(),
            time_zone: r.time_zone.clone(),
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
