//! Wire types of providers, LSM decisions, search and notifications.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use supply::Provider;
use supply::ports::{BanRequest, OfferedService};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

/// Longest business name (`supply`'s rule).
pub const BUSINESS_NAME_MAX: usize = 200;

/// Longest bio, reason or note (`supply`'s rule).
pub const FREE_TEXT_MAX: usize = 2000;

/// The domain's verdict on a text field whose length rule holds (the length
/// rule reports itself), so that one 422 lists every bad field of a body.
fn printable(s: &str, max: usize, blank_is_none: bool) -> Result<(), ValidationError> {
    if s.chars().count() > max || (blank_is_none && s.trim().is_empty()) {
        return Ok(());
    }
    crate::http::rules::verdict(kernel::text::bounded("text", s, max))
}

fn printable_business_name(s: &str) -> Result<(), ValidationError> {
    if s.is_empty() {
        return Ok(());
    }
    printable(s, BUSINESS_NAME_MAX, false)
}

fn printable_bio(s: &str) -> Result<(), ValidationError> {
    printable(s, FREE_TEXT_MAX, true)
}

/// `POST /providers`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// Business name, 1 to 200 characters (not blank).
    #[schema(example = "Ann's Paws", min_length = 1, max_length = 200)]
    #[validate(
        length(min = 1, max = 200),
        custom(function = "printable_business_name")
    )]
    pub business_name: String,
    /// Phone: an optional `+`, then 7 to 15 digits with spaces, dashes, dots
    /// and parentheses; up to 32 characters.
    #[schema(
        example = "212-555-0100",
        pattern = r"^\+?[ ().-]*([0-9][ ().-]*){7,15}$",
        max_length = 32
    )]
    #[validate(custom(function = "crate::http::rules::phone"))]
    pub phone: String,
    /// Business zipcode (12345 or 12345-6789); must be in a served region.
    #[schema(example = "10001", pattern = "^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "crate::http::rules::zipcode"))]
    pub zipcode: String,
    /// Offered catalog services (at least one, approved; repeats count once).
    #[schema(example = json!([30]), min_items = 1)]
    #[validate(length(min = 1))]
    pub service_ids: Vec<i64>,
    /// About the business, up to 2000 characters; blank means none.
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000), custom(function = "printable_bio"))]
    pub bio: Option<String>,
}

/// `PATCH /providers/me`: any of the fields.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatchRequest {
    /// New business name, 1 to 200 characters (not blank).
    #[schema(min_length = 1, max_length = 200)]
    #[validate(
        length(min = 1, max = 200),
        custom(function = "printable_business_name")
    )]
    pub business_name: Option<String>,
    /// New phone (the format of `POST /providers`).
    #[schema(
        example = "212-555-0100",
        pattern = r"^\+?[ ().-]*([0-9][ ().-]*){7,15}$",
        max_length = 32
    )]
    #[validate(custom(function = "crate::http::rules::phone"))]
    pub phone: Option<String>,
    /// New bio, up to 2000 characters; `null` or blank clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    #[validate(length(max = 2000), custom(function = "printable_bio"))]
    pub bio: Option<Option<String>>,
}

pub(crate) fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PUT /providers/me/services`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OfferedServicesRequest {
    /// The services to offer (at least one); others are switched off (history kept).
    #[schema(min_items = 1)]
    #[validate(length(min = 1))]
    pub service_ids: Vec<i64>,
}

/// A reason, required or optional depending on the route.
#[derive(Debug, Deserialize, ToSchema, Default, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why, up to 2000 characters (required, not blank, where the route says so).
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

/// An admin's note on a ban decision.
#[derive(Debug, Deserialize, ToSchema, Default, Validate)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// Note for the log, up to 2000 characters; blank means none.
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub note: Option<String>,
}

/// An offered service.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferedServiceDto {
    /// Catalog service id.
    pub service_id: i64,
    pub is_active: bool,
    /// Offered since.
    pub created_at: DateTime<Utc>,
    /// The timing in force (on `PATCH /providers/me/services/{service_id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<super::schedule_dto::TimingDto>,
}

impl From<OfferedService> for OfferedServiceDto {
    fn from(o: OfferedService) -> Self {
        Self {
            service_id: o.service_id.0,
            is_active: o.is_active,
            created_at: o.created_at,
            timing: None,
        }
    }
}

/// A provider as its owner, its LSM and admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderDto {
    pub id: i64,
    /// The applying user.
    pub user_id: i64,
    /// Business name.
    pub business_name: String,
    /// Phone (digits).
    pub phone: String,
    pub zipcode: String,
    /// Region code.
    pub region: String,
    pub bio: Option<String>,
    /// Onboarding and standing.
    #[schema(value_type = super::enums::ProviderStatus)]
    pub status: String,
    /// In the LSM's review queue.
    pub under_review: bool,
    /// Missed response deadlines since last cleared.
    pub warnings: i32,
    /// Why rejected.
    pub rejection_reason: Option<String>,
    /// When approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// Back-office tenant (after approval).
    pub tenant_id: Option<i64>,
    /// Offered services (own profile only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<OfferedServiceDto>>,
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Provider> for ProviderDto {
    fn from(p: Provider) -> Self {
        Self {
            id: p.id.0,
            user_id: p.user_id.0,
            business_name: p.business_name,
            phone: p.phone,
            zipcode: p.zipcode,
            region: p.region_code,
            bio: p.bio,
            status: p.status.as_str().to_owned(),
            under_review: p.under_review,
            warnings: p.warnings,
            rejection_reason: p.rejection_reason,
            approved_at: p.approved_at,
            tenant_id: p.tenant_id.map(|t| t.0),
            services: None,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A provider's public profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProviderDto {
    pub id: i64,
    /// Business name.
    pub business_name: String,
    /// Region code.
    pub region: String,
    pub bio: Option<String>,
    /// Ids of the services it offers now.
    pub service_ids: Vec<i64>,
    /// On STM since.
    pub approved_at: Option<DateTime<Utc>>,
    /// Mean stars (two decimals), none before the first rating.
    pub rating_avg: Option<f64>,
    pub rating_count: i64,
    /// Completed (or paid) jobs.
    pub completed_jobs: i64,
    /// Median minutes to answer a job over the last 90 days (daily figure).
    pub median_response_minutes: Option<i64>,
    /// Share of the last 90 days' jobs answered before their deadline (daily figure).
    pub response_rate: Option<f64>,
    /// What a customer's late cancel costs (the policy new bookings get).
    pub cancellation_policy: super::schedule_dto::PolicyDto,
}

/// A page of providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderPage {
    pub items: Vec<ProviderDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// A rating as listed on a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    pub id: i64,
    /// Stars, 1–5.
    pub rating: i32,
    /// Punctuality, 1–5.
    pub punctuality_rating: i32,
    /// Response time, 1–5.
    pub response_time: i32,
    pub feedback: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<supply::ports::Review> for ReviewDto {
    fn from(r: supply::ports::Review) -> Self {
        Self {
            id: r.id,
            rating: r.rating,
            punctuality_rating: r.punctuality_rating,
            response_time: r.response_time,
            feedback: r.feedback,
            created_at: r.created_at,
        }
    }
}

/// A page of reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPage {
    /// Reviews, newest first.
    pub items: Vec<ReviewDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// A ban request.
#[derive(Debug, Serialize, ToSchema)]
pub struct BanRequestDto {
    pub id: i64,
    pub provider_id: i64,
    /// LSM who asked.
    pub requested_by: i64,
    pub reason: String,
    /// Where the request stands.
    #[schema(value_type = super::enums::BanStatus)]
    pub status: String,
    /// Admin who decided.
    pub decided_by: Option<i64>,
    /// Admin's note.
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<BanRequest> for BanRequestDto {
    fn from(b: BanRequest) -> Self {
        Self {
            id: b.id,
            provider_id: b.provider_id.0,
            requested_by: b.requested_by.0,
            reason: b.reason,
            status: b.status.as_str().to_owned(),
            decided_by: b.decided_by.map(|u| u.0),
            decision_note: b.decision_note,
            created_at: b.created_at,
            decided_at: b.decided_at,
        }
    }
}

/// A page of ban requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct BanRequestPage {
    pub items: Vec<BanRequestDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// Query of the LSM queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only providers with this status (another value is a 422).
    #[param(value_type = Option<super::enums::ProviderStatus>)]
    pub status: Option<String>,
    /// Only providers (not) under review.
    pub under_review: Option<bool>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Query of `GET /admin/ban-requests`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BanRequestQuery {
    /// Only requests with this status (another value is a 422).
    #[param(value_type = Option<super::enums::BanStatus>)]
    pub status: Option<String>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[cfg(test)]
#[path = "provider_dto_tests.rs"]
mod tests;
