//! `/lsm/*`: the regional manager's queue, decisions and demand dashboard.

use actix_web::{HttpResponse, web};
use kernel::ProviderId;
use supply::service::Decision;

use super::provider_dto::{BanRequestDto, ProviderDto, ProviderPage, QueueQuery, ReasonRequest};
use super::providers::id_page;
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::problem::{DecisionProblems, LsmOnly};
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// The region's providers: onboarding and review queue.
///
/// LSMs (their region) and admins. Providers by status (pending applications,
/// approved, suspended, under review after warnings, ...), oldest first so the
/// longest-waiting comes first; paginated with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/lsm/providers", tag = "lsm", security(("bearer" = [])), params(QueueQuery), responses(
    (status = 200, description = "Providers of the caller's region, oldest first", body = ProviderPage),
    LsmOnly,
    (status = 422, description = "Unknown status, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn queue(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = id_page(q.limit, q.cursor)?;
    let found = state
        .providers
        .queue(&ctx, q.status.as_deref(), q.under_review, &page)
        .await?;
    Ok(HttpResponse::Ok().json(ProviderPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

async fn decide(
    state: &AppState,
    ctx: &kernel::Ctx,
    id: i64,
    decision: Decision,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .providers
        .decide(ctx, ProviderId(id), decision)
        .await?;
    Ok(HttpResponse::Ok().json(ProviderDto::from(p)))
}

/// Approve a pending provider: its back-office tenant is created.
///
/// LSMs of the provider's region and admins. A pending application becomes approved: the provider appears in search for its services, gets a back-office tenant (its id is in the answer) and is e-mailed. The decision is audited; other regions' providers are a 404.
#[utoipa::path(post, path = "/api/v1/lsm/providers/{id}/approve", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Provider id")), request_body(content = Option<ReasonRequest>), responses(
    (status = 200, description = "Approved, with `tenant_id`", body = ProviderDto),
    LsmOnly,
    DecisionProblems,
))]
pub async fn approve(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
    _body: OptionalJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &ctx, path.into_inner(), Decision::Approve).await
}

/// Reject a pending provider with a reason (required); the provider is e-mailed.
///
/// LSMs of the provider's region and admins. A pending application is rejected with the reason given; the provider may apply again after a waiting period. The decision is audited.
#[utoipa::path(post, path = "/api/v1/lsm/providers/{id}/reject", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Provider id")), request_body(content = Option<ReasonRequest>), responses(
    (status = 200, description = "Rejected", body = ProviderDto),
    LsmOnly,
    DecisionProblems,
))]
pub async fn reject(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
    OptionalJson(body): OptionalJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    decide(
        &state,
        &ctx,
        path.into_inner(),
        Decision::Reject(body.unwrap_or_default().reason),
    )
    .await
}

/// Suspend an approved provider (reason optional).
///
/// LSMs of the provider's region and admins. An approved provider leaves search and cannot be booked until reinstated. The decision is audited.
#[utoipa::path(post, path = "/api/v1/lsm/providers/{id}/suspend", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Provider id")), request_body(content = Option<ReasonRequest>), responses(
    (status = 200, description = "Suspended", body = ProviderDto),
    LsmOnly,
    DecisionProblems,
))]
pub async fn suspend(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
    OptionalJson(body): OptionalJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    decide(
        &state,
        &ctx,
        path.into_inner(),
        Decision::Suspend(body.unwrap_or_default().reason),
    )
    .await
}

/// Reinstate a suspended provider (warnings cleared).
///
/// LSMs of the provider's region and admins. A suspended provider is approved again, its warnings cleared, and back in search. The decision is audited.
#[utoipa::path(post, path = "/api/v1/lsm/providers/{id}/reinstate", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Provider id")), request_body(content = Option<ReasonRequest>), responses(
    (status = 200, description = "Approved again", body = ProviderDto),
    LsmOnly,
    DecisionProblems,
))]
pub async fn reinstate(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
    _body: OptionalJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &ctx, path.into_inner(), Decision::Reinstate).await
}

/// Clear a provider's warnings and take it off the review queue.
///
/// LSMs of the provider's region and admins. Resets the provider's warning count (missed response deadlines, provider cancellations) and takes it off the review queue. The decision is audited.
#[utoipa::path(post, path = "/api/v1/lsm/providers/{id}/clear-warnings", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Provider id")), request_body(content = Option<ReasonRequest>), responses(
    (status = 200, description = "Warnings cleared", body = ProviderDto),
    LsmOnly,
    DecisionProblems,
))]
pub async fn clear_warnings(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
    _body: OptionalJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    decide(&state, &ctx, path.into_inner(), Decision::ClearWarnings).await
}

/// Ask an admin to ban a provider of the region (reason required).
///
/// LSMs of the provider's region and admins. Files a request with its reason
/// for an admin to decide (`POST /admin/ban-requests/{id}/approve` or
/// `reject`); admins are notified. Only approved or suspended providers, and
/// one pending request at a time (409).
#[utoipa::path(post, path = "/api/v1/lsm/providers/{id}/ban-requests", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Provider id")), request_body = ReasonRequest, responses(
    (status = 201, description = "Ban request filed; admins are told", body = BanRequestDto),
    LsmOnly,
    (status = 404, description = "No such provider in the caller's region", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not approved or suspended, or a request is already pending", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing reason", body = Problem, content_type = "application/problem+json"),
))]
pub async fn request_ban(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
    body: Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = state
        .admin
        .request_ban(&ctx, ProviderId(path.into_inner()), body.reason.as_deref())
        .await?;
    Ok(HttpResponse::Created().json(BanRequestDto::from(request)))
}
