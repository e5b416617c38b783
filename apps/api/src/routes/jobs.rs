//! `/jobs`: booking, the negotiated lifecycle, history and ratings.

use actix_web::{HttpRequest, HttpResponse, web};
use jobs::ports::JobFilter;
use jobs::service::CreateJob;
use jobs::{Action, JobStatus, PaidWith, RatingInput, TermsPatch};
use kernel::FieldError;

use super::jobs_dto::{
    CreateJobRequest, EditJobRequest, JobDto, JobEventList, JobPage, JobQuery, JobReasonRequest,
    MarkPaidRequest, RatingDto, RatingRequest,
};
use crate::auth::AuthUser;
use crate::http::body::EmptyBody;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::precondition::{if_match, with_etag};
use crate::http::problem::TransitionProblems;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

fn job_response(
    status: actix_web::http::StatusCode,
    record: &jobs::ports::JobRecord,
) -> HttpResponse {
    with_etag(HttpResponse::build(status), record.job.version).json(JobDto::from(record))
}

/// Book a provider for a catalog service.
///
/// Customers. Books an approved provider that offers the service in the
/// customer's region, with the answers to the service's intake questions, the
/// address and zipcode, and optionally a description, a schedule and a price
/// (integer minor units of `currency`). The job starts `new` with a response
/// deadline for the provider, and a job chat thread opens between the two.
/// Verified e-mail may be required (403 `email_unverified`).
///
/// A provider that set its hours is booked by slot: `slot_start` names one
/// of its free slots (`GET /providers/{id}/slots`), which the job holds
/// until the response deadline and books when accepted; `scheduled_at` is
/// then refused. When another request took an overlapping range first, the
/// answer is 409 `slot_taken` and nothing is created.
#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs", security(("bearer" = [])), request_body = CreateJobRequest, responses(
    (status = 201, description = "The job, `new`, with its response deadline and thread", body = JobDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a customer, or `email_unverified` (when `auth.require_verified_email` is on)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`slot_taken`: another booking holds an overlapping range of the provider's time; nothing is created", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field (each named): answers, zipcode, provider, service; `slot_start` not a free slot of the provider or the provider without hours; `scheduled_at` for a provider booked by slot", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`quota_exceeded`: the customer already has `open_requests_per_pair` open (`new`) requests with this provider or `open_requests_per_customer` in all; nothing is created", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the earliest response deadline of the open requests that fill the quota (at least 60)"))),
))]
pub async fn create(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<CreateJobRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = CreateJob {
        provider_id: b.provider_id,
        service_id: b.service_id,
        description: b.description,
        answers: b.answers,
        zipcode: b.zipcode,
        price_cents: b.price_cents,
        currency: b.currency,
        scheduled_at: b.scheduled_at,
        slot_start: b.slot_start,
        address: b.address,
    };
    let catalog = state.catalog.get();
    let record = state.jobs.create(&ctx, &catalog, cmd).await?;
    Ok(job_response(actix_web::http::StatusCode::CREATED, &record))
}

/// The caller's jobs: as customer, as provider, the region's for an LSM, all for an admin.
///
/// Any signed-in user, scoped by role: a customer's bookings, a provider's
/// incoming jobs, an LSM's region, or all for an admin. Filter by `status`;
/// paginated with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", security(("bearer" = [])), params(JobQuery), responses(
    (status = 200, description = "Newest first", body = JobPage),
    (status = 422, description = "Unknown status, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    query: web::Query<JobQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(JobStatus::parse(s).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new("status", "is not a job status")])
        })?),
    };
    let page = super::providers::id_page(q.limit, q.cursor)?;
    let found = state.jobs.list(&ctx, JobFilter { status }, page).await?;
    Ok(HttpResponse::Ok().json(JobPage {
        items: found.items.iter().map(JobDto::from).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

/// One job (parties, the region's LSMs, admins; anyone else 404).
///
/// The job with its status, terms, pending changes and deadlines; the `ETag` is
/// its version for `If-Match` on transitions. Anyone not allowed to see it gets
/// 404, whether or not it exists.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    (status = 200, description = "The job, with its version as `ETag`", body = JobDto),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let record = state.jobs.get(&ctx, *id).await?;
    Ok(job_response(actix_web::http::StatusCode::OK, &record))
}

/// A job's history: every transition with its data, oldest first.
///
/// Whoever may see the job (its parties, the region's LSMs, admins). The
/// negotiation and audit trail: each transition (created, accepted, edited,
/// approved, declined, cancelled, completed, paid, disputed, rated, ...) with
/// its actor, time and data such as an edit's before and after.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/events", tag = "jobs", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    (status = 200, description = "The events", body = JobEventList),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
pub async fn events(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let items = state.jobs.events(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(JobEventList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

async fn transition(
    state: &AppState,
    req: &HttpRequest,
    ctx: &kernel::Ctx,
    id: i64,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(req)?;
    let record = state.jobs.transition(ctx, id, action, precondition).await?;
    Ok(job_response(actix_web::http::StatusCode::OK, &record))
}

/// The provider accepts a new job.
///
/// The job's provider. Moves a `new` job to accepted; the customer is notified. Other parties get 403, strangers 404; a job no longer `new` is a 409. `If-Match` is optional; a stale version is a 412.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/accept", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The job after the transition", body = JobDto),
    (status = 403, description = "Only the job's provider accepts", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn accept(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, &req, &ctx, *id, Action::Accept).await
}

/// The provider completes a job in progress (no pending changes, no open dispute).
///
/// The job's provider marks the work done; the customer is notified and may then rate. Not possible while changes are pending or a dispute is open (409). `If-Match` is optional; a stale version is a 412.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/complete", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The job after the transition", body = JobDto),
    (status = 403, description = "Only the job's provider completes", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn complete(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, &req, &ctx, *id, Action::Complete).await
}

/// The customer approves the provider's pending proposal, which becomes the
/// job's agreed terms.
///
/// The approval must name what it approves: `If-Match` with the version of the
/// job the customer saw. Without it, or with `*`, the answer is 428; if the
/// provider changed the proposal since (or anything else moved the job), 412.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/approve", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = String, Header, description = "The strong entity tag of the job version the customer saw (`\"7\"`); required")),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The job, its proposal now the agreed terms", body = JobDto),
    (status = 400, description = "Malformed body or If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Only the job's customer approves", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "No changes are pending, or the job's state forbids it", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A body other than none or `{}`", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "No If-Match with a version (absent or `*`)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn approve(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, &req, &ctx, *id, Action::ApproveChanges).await
}

/// The reason a transition's body carries, if any.
fn reason_of(body: Option<JobReasonRequest>) -> Option<String> {
    body.unwrap_or_default().reason
}

/// The provider rejects a new job with a reason; its thread is soft-deleted.
///
/// The job's provider declines a `new` job, with a reason; the customer is notified and the job chat is hidden (it reappears if a dispute is raised). A job no longer `new` is a 409. `If-Match` is optional; a stale version is a 412.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/reject", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<JobReasonRequest>), responses(
    (status = 200, description = "The job after the transition", body = JobDto),
    (status = 403, description = "Only the job's provider rejects", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn reject(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<JobReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let action = Action::reject(reason_of(body).as_deref())?;
    transition(&state, &req, &ctx, *id, action).await
}

/// The customer cancels a new or in-progress job; the provider withdraws from an accepted one.
///
/// The job's customer, with an optional reason, while the job has not been completed; the provider is notified. Inside the window of the policy the job was booked with, an accepted job with a price and a start costs the customer the policy's fee (`GET /jobs/{id}/cancellation-preview` says how much): a marketplace transaction of `kind` `cancellation_fee` and its open invoice are written in the provider's books with the cancel. The job's provider may cancel an accepted (`in_progress`) job with a required reason: it never costs the customer, and counts as a warning on the provider while the setting `provider_cancel_counts_as_warning` is on. Either way a held or booked slot is released. Other states are a 409. `If-Match` is optional; a stale version is a 412.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<JobReasonRequest>), responses(
    (status = 200, description = "The job after the transition", body = JobDto),
    (status = 403, description = "Not a party of the job", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<JobReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let action = Action::cancel(reason_of(body).as_deref())?;
    transition(&state, &req, &ctx, *id, action).await
}

/// The customer declines the pending proposal: the agreed terms come back, however many edits came before.
///
/// The job's customer, with an optional reason. The pending proposal is dropped and the agreed terms (the initial ones or the last approved) come back, however many edits came before; the provider is notified. Without a pending proposal it is a 409.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/decline-changes", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<JobReasonRequest>), responses(
    (status = 200, description = "The job after the transition", body = JobDto),
    (status = 403, description = "Only the job's customer declines", body = Problem, content_type = "application/problem+json"),
    TransitionProblems,
))]
pub async fn decline_changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<JobReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let action = Action::decline_changes(reason_of(body).as_deref())?;
    transition(&state, &req, &ctx, *id, action).await
}

/// The provider records the customer's payment of a completed job: the job
/// becomes `paid`, and the provider's tenant gets the marketplace transaction
/// (platform fee from the settings) and a paid marketplace invoice, at once.
///
/// The job's provider, with the payment method and an optional reference. A job
/// not completed, without a price, under an open dispute, already paid, or
/// whose provider has no back-office tenant is a 409. `If-Match` is optional; a
/// stale version is a 412.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/mark-paid", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body(content = Option<MarkPaidRequest>), responses(
    (status = 200, description = "The job, `paid`, with `paid_at`", body = JobDto),
    (status = 400, description = "Malformed body or If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Only the job's provider marks it paid", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not completed, no price, an open dispute, already paid, or the provider has no tenant", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown method, invalid reference, unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn mark_paid(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<MarkPaidRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.unwrap_or_default();
    let paid_with = PaidWith::parse(b.method.as_deref(), b.reference.as_deref())?;
    let precondition = if_match(&req)?;
    let record = state
        .jobs
        .mark_paid(&ctx, *id, paid_with, precondition)
        .await?;
    Ok(job_response(actix_web::http::StatusCode::OK, &record))
}

/// The provider renegotiates price, schedule or description; the customer must approve.
///
/// The job's provider. Proposes new terms (price, schedule, description): the
/// job is `pending_approval` until the customer approves or declines, and
/// cannot be completed meanwhile. `If-Match` with the job's version guards
/// against editing stale terms (412).
#[utoipa::path(patch, path = "/api/v1/jobs/{id}", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags")),
    request_body = EditJobRequest, responses(
    (status = 200, description = "The job with `pending_approval: true`", body = JobDto),
    (status = 400, description = "Malformed body or If-Match", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Only the job's provider edits", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not editable in the job's state", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid or no field", body = Problem, content_type = "application/problem+json"),
))]
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<EditJobRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let patch = TermsPatch {
        price_cents: b.price_cents,
        scheduled_at: b.scheduled_at,
        description: b.description,
    }
    .validated()?;
    transition(&state, &req, &ctx, *id, Action::Edit(patch)).await
}

/// The customer rates a completed or paid job, once.
///
/// The job's customer, once per job: 1–5 on each axis with optional feedback.
/// The rating counts toward the provider's confidence-weighted score used in
/// search ranking and shows on its public reviews. Rating twice, or before
/// completion, is a 409.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/rating", tag = "jobs", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RatingRequest, responses(
    (status = 201, description = "The rating", body = RatingDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Only the job's customer rates", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not completed yet, or already rated", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "An axis outside 1–5, invalid feedback", body = Problem, content_type = "application/problem+json"),
))]
pub async fn rate(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<RatingRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = RatingInput {
        rating: b.rating,
        punctuality_rating: b.punctuality_rating,
        response_time: b.response_time,
        feedback: b.feedback,
    };
    let rating = state.jobs.rate(&ctx, *id, input).await?;
    Ok(HttpResponse::Created().json(RatingDto::from(rating)))
}
