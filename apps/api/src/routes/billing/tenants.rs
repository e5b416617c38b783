//! `/tenants`.

use actix_web::{HttpResponse, web};

use super::dto::{TenantDto, TenantRequest};
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Create a tenant; the caller becomes its owner (a user belongs to at most one tenant).
///
/// Any signed-in user without a tenant. Creates a back-office tenant with its
/// name and URL slug; the caller becomes its owner. A slug already taken, or a
/// caller who already belongs to a tenant, is a 409. Approved providers get a
/// tenant automatically.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "billing", security(("bearer" = [])), request_body = TenantRequest, responses(
    (status = 201, description = "Created", body = TenantDto),
    (status = 409, description = "Slug taken, or the caller already belongs to a tenant", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid name or slug", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<TenantRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, scope) = state
        .billing
        .create_tenant(&ctx, &body.name, &body.slug)
        .await?;
    Ok(HttpResponse::Created().json(TenantDto::new(tenant, scope)))
}

/// The caller's tenant.
///
/// Staff of a tenant. The tenant with its name, slug and the caller's role in
/// it (owner or staff). Callers without a tenant get 403.
#[utoipa::path(get, path = "/api/v1/tenants/me", tag = "billing", security(("bearer" = [])), responses(
    (status = 200, description = "OK", body = TenantDto),
    (status = 403, description = "The caller belongs to no tenant", body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let (tenant, scope) = state.billing.my_tenant(&ctx).await?;
    Ok(HttpResponse::Ok().json(TenantDto::new(tenant, scope)))
}
