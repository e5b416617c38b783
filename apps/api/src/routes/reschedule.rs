//! `/jobs/{id}/reschedule`: moving a job booked by slot, as a negotiation
//! (issue 19).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::jobs_dto::{JobDto, JobReasonRequest};
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::precondition::{if_match, with_etag};
use crate::http::problem::TransitionProblems;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// `POST /jobs/{id}/reschedule`.
#[derive(Debug, Deserialize, ToSchema, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// A free slot of the job's provider (`GET /providers/{id}/slots`).
    pub slot_start: DateTime<Utc>,
}

fn answered(record: &jobs::ports::JobRecord) -> HttpResponse {
    with_etag(HttpResponse::Ok(), record.job.version).json(JobDto::from(record))
}

/// Propose a new slot for a job booked by slot.
///
/// The job's customer or provider, while the job is `new` or `in_progress`.
/// The proposed slot must be free (as `GET /providers/{id}/slots` lists
/// them); it is held beside the job's own until the other party answers with
/// `/reschedule/approve` or `/reschedule/decline`. A second proposal before
/// the answer is a 409 `proposal_pending`; a slot another booking holds is a
/// 409 `slot_taken`. The job's version moves (its `ETag`), and the history
/// records `reschedule_proposed`.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/reschedule", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body = RescheduleRequest, responses(
    (status = 200, description = "The job with the proposal recorded", body = JobDto),
    (status = 403, description = "Not a party of the job", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn propose(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<RescheduleRequest>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    let record = state
        .jobs
        .propose_reschedule(&ctx, *id, body.slot_start, precondition)
        .await?;
    Ok(answered(&record))
}

/// Approve the other party's reschedule proposal.
///
/// The party that did not propose, naming with `If-Match` the version it saw
/// (428 without). The job moves to the proposed start: its old slot is
/// released and the proposed one becomes its booking (or its hold, for a job
/// not yet accepted); the history records `reschedule_approved`.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/reschedule/approve", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = String, Header, description = "The version approved, as a strong entity tag")),
    request_body(content = Option<crate::http::body::EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The job at its new start", body = JobDto),
    (status = 403, description = "Not a party of the job, or the party that proposed", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "`If-Match` is missing: an approval names the version it approves", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn approve(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<crate::http::body::EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    let record = state
        .jobs
        .answer_reschedule(&ctx, *id, true, None, precondition)
        .await?;
    Ok(answered(&record))
}

/// Decline the other party's reschedule proposal.
///
/// The party that did not propose, with an optional reason. The proposed
/// slot is released and the job keeps its start; the history records
/// `reschedule_declined`.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/reschedule/decline", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<JobReasonRequest>), responses(
    (status = 200, description = "The job, its start unchanged", body = JobDto),
    (status = 403, description = "Not a party of the job, or the party that proposed", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn decline(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<JobReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    let reason = body.unwrap_or_default().reason;
    let record = state
        .jobs
        .answer_reschedule(&ctx, *id, false, reason, precondition)
        .await?;
    Ok(answered(&record))
}
