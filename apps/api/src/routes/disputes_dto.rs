//! Wire types of disputes.

use chrono::{DateTime, Utc};
use disputes::Dispute;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

/// `POST /jobs/{id}/disputes`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RaiseRequest {
    /// What went wrong: 1–4000 characters (trimmed).
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub description: String,
    /// Up to 10 of the caller's own uploaded attachments, none already
    /// evidence of a dispute, no duplicates; default none.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeSet<Uuid>, max_items = 10)]
    #[validate(
        length(max = 10, message = "at most 10 attachments"),
        custom(function = "distinct")
    )]
    pub attachment_ids: Vec<Uuid>,
}

/// No id twice (the document says `uniqueItems`).
fn distinct(ids: &[Uuid]) -> Result<(), validator::ValidationError> {
    crate::http::rules::distinct(ids, "must not name an attachment twice")
}

/// `POST /lsm/disputes/{id}/resolve`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// Why: 1–4000 characters (trimmed).
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub resolution_notes: String,
    /// `in_favor_of_customer`, `in_favor_of_provider`, `split` or `dismissed`.
    #[schema(value_type = super::enums::DisputeOutcome)]
    pub outcome: String,
}

/// Filters and page of `GET /disputes` and `GET /lsm/disputes`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DisputeQuery {
    /// Only `pending` or `resolved` disputes.
    #[param(value_type = Option<super::enums::DisputeStatus>)]
    pub status: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// A dispute: what `GET /disputes/{id}` answers and `dispute.updated` carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeDto {
    pub id: i64,
    /// The disputed job.
    pub job_id: i64,
    /// The job's thread, where the region's LSMs join the parties.
    pub thread_id: Option<Uuid>,
    /// The job's region, whose LSMs mediate.
    pub region_code: String,
    /// The job's customer (user id).
    pub customer_id: i64,
    /// The job's provider (user id).
    pub provider_user_id: i64,
    /// Who raised it.
    pub raised_by_id: i64,
    /// `customer` or `service_provider`.
    #[schema(value_type = super::enums::RaisedBy)]
    pub raised_by_type: String,
    /// The raiser's account.
    pub description: String,
    /// Evidence, in the order given.
    pub attachment_ids: Vec<Uuid>,
    /// `pending` (completion and payment of the job are frozen) or `resolved`.
    #[schema(value_type = super::enums::DisputeStatus)]
    pub status: String,
    /// Once resolved: `in_favor_of_customer`, `in_favor_of_provider`, `split`, `dismissed`.
    #[schema(value_type = Option<super::enums::DisputeOutcome>)]
    pub outcome: Option<String>,
    /// The LSM or admin who resolved it.
    pub resolved_by: Option<i64>,
    /// Their notes.
    pub resolution_notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<&Dispute> for DisputeDto {
    fn from(d: &Dispute) -> Self {
        Self {
            id: d.id,
            job_id: d.job.id,
            thread_id: d.job.thread_id,
            region_code: d.job.region_code.clone(),
            customer_id: d.job.customer_id.0,
            provider_user_id: d.job.provider_user_id.0,
            raised_by_id: d.raised_by_id.0,
            raised_by_type: d.raised_by.as_str().to_owned(),
            description: d.description.clone(),
            attachment_ids: d.attachment_ids.clone(),
            status: d.status.as_str().to_owned(),
            outcome: d.outcome.map(|o| o.as_str().to_owned()),
            resolved_by: d.resolved_by.map(|u| u.0),
            resolution_notes: d.resolution_notes.clone(),
            created_at: d.created_at,
            resolved_at: d.resolved_at,
        }
    }
}

/// A page of disputes.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisputePage {
    /// Newest first.
    pub items: Vec<DisputeDto>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;
    use disputes::{DisputeStatus, DisputedJob, Outcome, RaisedBy};
    use kernel::UserId;

    use super::*;

    /// `dispute.updated` events carry what the REST routes answer.
    #[test]
    fn the_event_payload_is_the_rest_shape() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let d = Dispute {
            id: 3,
            job: DisputedJob {
                id: 7,
                status: jobs::JobStatus::Completed,
                customer_id: UserId(1),
                provider_user_id: UserId(2),
                region_code: "nyc".into(),
                thread_id: Some(Uuid::nil()),
            },
            raised_by_id: UserId(2),
            raised_by: RaisedBy::Provider,
            description: "unpaid".into(),
            attachment_ids: vec![Uuid::nil()],
            status: DisputeStatus::Resolved,
            outcome: Some(Outcome::Split),
            resolved_by: Some(UserId(9)),
            resolution_notes: Some("half".into()),
            created_at: at,
            resolved_at: Some(at),
        };
        let rest = serde_json::to_value(DisputeDto::from(&d)).unwrap();
        assert_eq!(rest, disputes::view::dispute_json(&d));
    }
}
