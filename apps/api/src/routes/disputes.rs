//! `/jobs/{id}/disputes` and `/disputes`: raising a dispute and reading the
//! disputes the caller may see (parties, the region's LSMs, admins).

use actix_web::{HttpResponse, web};
use kernel::PageRequest;

use super::disputes_dto::{DisputeDto, DisputePage, DisputeQuery, RaiseRequest};
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// The use case's query from the wire one.
pub(crate) fn query(q: DisputeQuery) -> Result<disputes::service::DisputeQuery, ApiError> {
    Ok(disputes::service::DisputeQuery {
        status: q.status,
        page: PageRequest::parse(q.limit, q.cursor).map_err(|e| ApiError::validation(vec![e]))?,
    })
}

/// A page of disputes on the wire.
pub(crate) fn page(found: kernel::Page<disputes::Dispute>) -> DisputePage {
    DisputePage {
        items: found.items.iter().map(DisputeDto::from).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }
}

/// Raise a dispute on a job (its customer or provider). The region's LSMs
/// join the job thread (a rejected job's thread reappears to both parties), a
/// system message is posted, the LSMs and the other party are notified, and
/// the job can be neither completed nor marked paid until it is resolved.
///
/// One open dispute per job at a time, and not on a `new` job (409). Evidence
/// is given as up to 10 attachment ids the caller uploaded and has not cited
/// elsewhere.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/disputes", tag = "disputes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")), request_body = RaiseRequest, responses(
    (status = 201, description = "The open dispute", body = DisputeDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The caller sees the job (its region's LSM, an admin) but is not a party", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such job visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A dispute on the job is already open, or the job is still `new`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Description missing or over 4000 characters; over 10, duplicate, foreign or already used attachment ids; unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn raise(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<RaiseRequest>,
) -> Result<HttpResponse, ApiError> {
    let req = body.into_inner();
    let d = state
        .disputes
        .raise(&ctx, *id, &req.description, &req.attachment_ids)
        .await?;
    Ok(HttpResponse::Created().json(DisputeDto::from(&d)))
}

/// The disputes the caller may see: a party's (of their jobs), an LSM's
/// region's, an admin's all; newest first.
///
/// Any signed-in user; the list is scoped to what the caller may see, so other
/// disputes are simply absent. Filter by `status` (open or resolved); paginated
/// with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/disputes", tag = "disputes", security(("bearer" = [])), params(DisputeQuery), responses(
    (status = 200, description = "Newest first", body = DisputePage),
    (status = 422, description = "Unknown status, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<DisputeQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = state.disputes.list(&ctx, query(q.into_inner())?).await?;
    Ok(HttpResponse::Ok().json(page(found)))
}

/// One dispute (parties, the region's LSMs, admins).
///
/// The dispute with its description, evidence attachment ids, job thread and,
/// once resolved, the outcome, notes and who resolved it. Anyone else gets 404,
/// whether or not the dispute exists.
#[utoipa::path(get, path = "/api/v1/disputes/{id}", tag = "disputes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Dispute id")), responses(
    (status = 200, description = "The dispute", body = DisputeDto),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let d = state.disputes.get(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(DisputeDto::from(&d)))
}
