//! Wire types of jobs.

use chrono::{DateTime, Utc};
use jobs::ports::{JobEventRecord, JobRecord, RatingRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// `POST /jobs`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateJobRequest {
    /// The provider to book (approved, offering the service).
    pub provider_id: i64,
    /// The catalog service.
    pub service_id: i64,
    /// What is needed (1–4000 characters).
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub description: String,
    /// Answers to the service's questions, `{key: value}`; required keys must be present.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Where: `12345` or `12345-6789` (must be in the provider's region).
    #[schema(pattern = "^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "crate::http::rules::zipcode"))]
    pub zipcode: String,
    /// A proposed price in minor units of `currency`, 0 to 10^10.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub price_cents: Option<i64>,
    /// ISO 4217 code of a currency with minor units, either case (stored
    /// upper-case), default `USD`; `XYZ`, `XXX`, `XTS`, `XAU` and other codes
    /// without minor units are refused. Amounts (`*_cents`) are in its minor unit.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    #[validate(custom(function = "super::billing::formats::currency"))]
    pub currency: Option<String>,
    /// When (years 1900–9999), for a provider without hours.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// A free slot's start (`GET /providers/{id}/slots`), for a provider
    /// with hours; it becomes the job's `scheduled_at`.
    pub slot_start: Option<DateTime<Utc>>,
    /// Street address (≤ 500 characters; blank means none).
    #[schema(max_length = 500)]
    #[validate(length(max = 500))]
    pub address: Option<String>,
}

/// `PATCH /jobs/{id}`: the provider's new terms; at least one field.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EditJobRequest {
    /// New price in minor units, 0 to 10^10.
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub price_cents: Option<i64>,
    /// New schedule.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// New description (1–4000 characters).
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub description: Option<String>,
}

/// `POST /jobs/{id}/reject` (reason required) · `/cancel` · `/decline-changes` (optional).
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct JobReasonRequest {
    /// Why (up to 2000 characters; blank means none, which `reject` refuses).
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

/// `POST /jobs/{id}/rating`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// Overall, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    #[validate(range(min = 1, max = 5))]
    pub rating: i64,
    /// Punctuality, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    #[validate(range(min = 1, max = 5))]
    pub punctuality_rating: i64,
    /// Responsiveness, 1–5.
    #[schema(minimum = 1, maximum = 5)]
    #[validate(range(min = 1, max = 5))]
    pub response_time: i64,
    /// Free text (≤ 2000 characters; blank means none).
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub feedback: Option<String>,
}

/// A job, as every job route answers and as `job.updated` events carry it.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JobDto {
    pub id: i64,
    /// The customer's user id.
    pub customer_id: i64,
    /// The provider.
    pub provider_id: i64,
    /// The catalog service.
    pub service_id: i64,
    /// The job's chat thread.
    pub thread_id: Option<uuid::Uuid>,
    /// `new`, `in_progress`, `completed`, `cancelled`, `paid` or `rejected_by_sp`.
    #[schema(value_type = super::enums::JobStatus)]
    pub status: String,
    /// What is needed.
    pub description: String,
    /// Answers to the service's questions.
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// Price in cents, once quoted.
    pub price_cents: Option<i64>,
    /// ISO 4217 code.
    pub currency: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub zipcode: String,
    /// The region.
    pub region_code: String,
    /// Street address.
    pub address: Option<String>,
    /// The provider proposed new terms (shown in `price_cents`,
    /// `scheduled_at` and `description`) and the customer has not answered.
    pub pending_approval: bool,
    /// The terms in force: the initial ones or the last the customer
    /// approved. Equal to the shown terms unless `pending_approval`; a
    /// decline brings them back.
    pub agreed_terms: JobTermsDto,
    /// When the provider must have answered.
    pub response_deadline: DateTime<Utc>,
    /// When the provider answered.
    pub responded_at: Option<DateTime<Utc>>,
    /// The provider's reason for rejecting, or the customer's for declining changes.
    pub rejection_reason: Option<String>,
    /// The customer's reason for cancelling.
    pub cancellation_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Marked paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// The deadline sweep warned for this job.
    pub deadline_warning_issued: bool,
    /// Version for `If-Match` (also the `ETag`).
    pub version: i64,
    /// The provider's cancellation policy when the job was booked, which its
    /// cancels follow (null for jobs booked before policies: free).
    pub cancellation_policy: Option<super::schedule_dto::PolicyDto>,
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<&JobRecord> for JobDto {
    fn from(r: &JobRecord) -> Self {
        let j = &r.job;
        Self {
            id: j.id,
            customer_id: j.customer_id.0,
            provider_id: j.provider_id.0,
            service_id: j.service_id.0,
            thread_id: r.thread_id,
            status: j.status.as_str().to_owned(),
            description: j.terms.description.clone(),
            answers: r.answers.clone(),
            price_cents: j.terms.price_cents,
            currency: r.currency.clone(),
            scheduled_at: j.terms.scheduled_at,
            zipcode: r.zipcode.clone(),
            region_code: j.region_code.clone(),
            address: r.address.clone(),
            pending_approval: j.pending_approval,
            agreed_terms: JobTermsDto {
                price_cents: j.agreed.price_cents,
                scheduled_at: j.agreed.scheduled_at,
                description: j.agreed.description.clone(),
            },
            response_deadline: j.response_deadline,
            responded_at: j.responded_at,
            rejection_reason: j.rejection_reason.clone(),
            cancellation_reason: j.cancellation_reason.clone(),
            completed_at: j.completed_at,
            paid_at: j.paid_at,
            deadline_warning_issued: j.deadline_warning_issued,
            version: j.version,
            cancellation_policy: r.cancellation_policy.map(Into::into),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A job's negotiable terms.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JobTermsDto {
    /// Price in minor units of the job's currency, once quoted.
    pub price_cents: Option<i64>,
    /// When the work is planned.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// What is needed.
    pub description: String,
}

/// A page of jobs.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobPage {
    /// Newest first.
    pub items: Vec<JobDto>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
}

/// `GET /jobs` filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct JobQuery {
    /// Only this status.
    #[param(value_type = Option<super::enums::JobStatus>)]
    pub status: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// One entry of a job's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobEventDto {
    pub id: i64,
    /// `created`, `accepted`, `edited`, ….
    #[schema(value_type = super::enums::JobEventKind)]
    pub kind: String,
    /// Who (null for the platform).
    pub actor_user_id: Option<i64>,
    /// In which role.
    pub actor_role: Option<String>,
    /// Details: before/after of an edit, reasons.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<JobEventRecord> for JobEventDto {
    fn from(e: JobEventRecord) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            actor_user_id: e.actor_user_id.map(|u| u.0),
            actor_role: e.actor_role,
            data: e.data,
            created_at: e.created_at,
        }
    }
}

/// A job's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobEventList {
    /// The events.
    pub items: Vec<JobEventDto>,
}

/// A rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub id: i64,
    /// The job.
    pub job_id: i64,
    /// The provider rated.
    pub provider_id: i64,
    pub rating: u8,
    pub punctuality_rating: u8,
    pub response_time: u8,
    /// Free text.
    pub feedback: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<RatingRecord> for RatingDto {
    fn from(r: RatingRecord) -> Self {
        Self {
            id: r.id,
            job_id: r.job_id,
            provider_id: r.provider_id.0,
            rating: r.rating,
            punctuality_rating: r.punctuality_rating,
            response_time: r.response_time,
            feedback: r.feedback,
            created_at: r.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use jobs::{Job, JobStatus, Terms};
    use kernel::{ProviderId, ServiceId, UserId};

    use super::*;

    /// `job.updated` events carry what the REST routes answer.
    #[test]
    fn the_event_payload_is_the_rest_shape() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let record = JobRecord {
            job: Job {
                id: 7,
                customer_id: UserId(1),
                provider_id: ProviderId(2),
                provider_user_id: UserId(3),
                service_id: ServiceId(4),
                region_code: "nyc".into(),
                status: JobStatus::InProgress,
                terms: Terms {
                    price_cents: Some(100),
                    scheduled_at: Some(at),
                    description: "d".into(),
                },
                agreed: Terms {
                    price_cents: Some(90),
                    scheduled_at: None,
                    description: "e".into(),
                },
                pending_approval: true,
                response_deadline: at,
                responded_at: Some(at),
                rejection_reason: None,
                cancellation_reason: Some("c".into()),
                completed_at: None,
                paid_at: None,
                deadline_warning_issued: false,
                version: 3,
            },
            thread_id: Some(uuid::Uuid::nil()),
            answers: serde_json::json!({"a": 1}),
            currency: "USD".into(),
            zipcode: "10001".into(),
            address: None,
            cancellation_policy: None,
            created_at: at,
            updated_at: at,
        };
        let rest = serde_json::to_value(JobDto::from(&record)).unwrap();
        assert_eq!(rest, jobs::view::job_json(&record));
    }

    #[test]
    fn the_documented_patterns_are_the_checked_ones() {
        use crate::http::rules::testing::property;
        use crate::routes::billing::formats::CURRENCY;
        assert_eq!(
            property::<CreateJobRequest>("zipcode")["pattern"],
            crate::http::rules::ZIPCODE
        );
        assert_eq!(
            property::<CreateJobRequest>("currency")["pattern"],
            CURRENCY
        );
    }
}

/// `POST /jobs/{id}/mark-paid`.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MarkPaidRequest {
    /// `cash` (default), `check`, `card`, `bank_transfer` or `other`.
    #[schema(value_type = Option<super::enums::PaymentMethod>)]
    pub method: Option<String>,
    /// A receipt or cheque number (≤ 255 characters; blank means none).
    #[schema(max_length = 255)]
    #[validate(length(max = 255))]
    pub reference: Option<String>,
}
