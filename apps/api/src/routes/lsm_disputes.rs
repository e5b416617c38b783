//! `/lsm/disputes`: the regional manager's dispute queue and resolutions.

use actix_web::{HttpResponse, web};

use super::disputes::{page, query};
use super::disputes_dto::{DisputeDto, DisputePage, DisputeQuery, ResolveRequest};
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// The disputes of the caller's region, newest first (LSMs only; admins use `GET /disputes`).
///
/// LSMs only, scoped to their region; filter by `status`, paginated with
/// `limit` and `cursor`. Admins read every region's disputes at `GET
/// /disputes`.
#[utoipa::path(get, path = "/api/v1/lsm/disputes", tag = "lsm", security(("bearer" = [])), params(DisputeQuery), responses(
    (status = 200, description = "Disputes of jobs in the caller's region, newest first", body = DisputePage),
    (status = 403, description = "Not an LSM", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown status, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn queue(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<DisputeQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = state.disputes.region(&ctx, query(q.into_inner())?).await?;
    Ok(HttpResponse::Ok().json(page(found)))
}

/// Resolve an open dispute (an LSM of the job's region, or an admin) with
/// notes and an outcome. Both parties are notified and the decision is
/// audited; the outcome moves no money, and the job's completion and payment
/// are no longer frozen.
///
/// A dispute already resolved is a 409. Parties of the job see the dispute but
/// get 403 here; LSMs of other regions get 404.
#[utoipa::path(post, path = "/api/v1/lsm/disputes/{id}/resolve", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Dispute id")), request_body = ResolveRequest, responses(
    (status = 200, description = "The resolved dispute", body = DisputeDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "A party of the job: they see the dispute but do not decide it", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller (an LSM of another region, a stranger)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already resolved", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Notes missing or over 4000 characters, unknown outcome, unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn resolve(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<ResolveRequest>,
) -> Result<HttpResponse, ApiError> {
    let req = body.into_inner();
    let d = state
        .disputes
        .resolve(&ctx, *id, &req.resolution_notes, &req.outcome)
        .await?;
    Ok(HttpResponse::Ok().json(DisputeDto::from(&d)))
}
