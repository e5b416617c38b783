//! `/admin/ban-requests` decisions and `/admin/popularity`.

use actix_web::{HttpResponse, web};
use kernel::ServiceId;

use super::admin_dto::{OverrideBody, RowsDto};
use super::provider_dto::{BanRequestDto, BanRequestPage, BanRequestQuery, NoteRequest};
use super::providers::id_page;
use crate::auth::{Admin, RequireRole};
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::problem::AdminOnly;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Ban requests, optionally by status.
///
/// Admins only. The ban requests LSMs filed against providers of their regions,
/// oldest first so the longest-waiting comes first; `status` narrows to
/// pending, approved or rejected ones. Other roles get 403; an unknown status
/// is a 422.
#[utoipa::path(get, path = "/api/v1/admin/ban-requests", tag = "admin", security(("bearer" = [])), params(BanRequestQuery), responses(
    (status = 200, description = "A page of ban requests, oldest first", body = BanRequestPage),
    AdminOnly,
    (status = 422, description = "Unknown status, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn ban_requests(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    query: web::Query<BanRequestQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let q = query.into_inner();
    let found = state
        .admin
        .ban_requests(&ctx, q.status.as_deref(), &id_page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(BanRequestPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

async fn decide(
    state: &AppState,
    ctx: &kernel::Ctx,
    id: i64,
    approve: bool,
    body: Option<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let note = body.unwrap_or_default().note;
    let decided = state.admin.decide_ban(ctx, id, approve, note).await?;
    if approve {
        state.revocations.refresh_now().await;
    }
    Ok(HttpResponse::Ok().json(BanRequestDto::from(decided)))
}

/// Approve a ban request: the provider and its user are banned, gone from search.
///
/// Admins only. Decides a pending ban request: the provider and its user
/// account are banned, the provider leaves search at once and the user can no
/// longer sign in. The decision is audited. A request already decided, or a
/// provider that can no longer be banned, is a 409.
#[utoipa::path(post, path = "/api/v1/admin/ban-requests/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ban request id")), request_body(content = Option<NoteRequest>), responses(
    (status = 200, description = "Approved", body = BanRequestDto),
    AdminOnly,
    (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already decided, or the provider can no longer be banned", body = Problem, content_type = "application/problem+json"),
))]
pub async fn approve_ban(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    path: web::Path<i64>,
    OptionalJson(body): OptionalJson<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    decide(&state, &ctx, path.into_inner(), true, body).await
}

/// Reject a ban request.
///
/// Admins only. Decides a pending ban request without banning: the provider
/// keeps its standing. The decision is audited; a request already decided is a
/// 409.
#[utoipa::path(post, path = "/api/v1/admin/ban-requests/{id}/reject", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ban request id")), request_body(content = Option<NoteRequest>), responses(
    (status = 200, description = "Rejected", body = BanRequestDto),
    AdminOnly,
    (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
))]
pub async fn reject_ban(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    path: web::Path<i64>,
    OptionalJson(body): OptionalJson<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    decide(&state, &ctx, path.into_inner(), false, body).await
}

/// Force a service popular or not in a region (or every region); `is_popular: null` clears.
///
/// Admins only. Overrides the computed popularity of a service in one region
/// (or every region when none is named): `is_popular: true` or `false` wins
/// over the weekly computation until cleared with `null`. Answers how many rows
/// changed; an unknown service is a 404, an unknown region a 422.
#[utoipa::path(put, path = "/api/v1/admin/popularity/{service_id}", tag = "admin", security(("bearer" = [])), request_body = OverrideBody,
    params(("service_id" = i64, Path, description = "Service id")), responses(
    (status = 200, description = "Rows changed", body = RowsDto),
    AdminOnly,
    (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown region", body = Problem, content_type = "application/problem+json"),
))]
pub async fn override_popularity(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    path: web::Path<i64>,
    body: Json<OverrideBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let b = body.into_inner();
    let catalog = state.catalog.get();
    let rows = state
        .demand
        .set_override(
            &ctx,
            &catalog,
            ServiceId(path.into_inner()),
            b.region,
            b.is_popular.flatten(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(RowsDto { rows }))
}

/// Recompute regional popularity now.
///
/// Admins only. Runs the weekly popularity computation now instead of waiting
/// for its slot: every region's popular services are recomputed from distinct
/// searchers, admin overrides kept. Answers how many rows were written.
#[utoipa::path(post, path = "/api/v1/admin/popularity/recompute", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, description = "Rows written", body = RowsDto),
    AdminOnly,
))]
pub async fn recompute(
    state: web::Data<AppState>,
    _role: RequireRole<Admin>,
) -> Result<HttpResponse, ApiError> {
    let settings = state.admin.settings().await?;
    let rows = state.demand.recompute(&settings).await?;
    Ok(HttpResponse::Ok().json(RowsDto { rows }))
}
