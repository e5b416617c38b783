//! `/providers`: apply, own profile and offered services, public profiles.

use actix_web::{HttpResponse, web};
use kernel::{PageRequest, ProviderId, ServiceId};
use supply::service::{ApplyCommand, UpdateProfileCommand};
use validator::Validate;

use super::provider_dto::{
    ApplyRequest, OfferedServiceDto, OfferedServicesRequest, ProfilePatchRequest, ProviderDto,
    PublicProviderDto, ReviewPage,
};
use super::schedule_dto::OfferedServicePatch;
use crate::auth::{Provider, RequireRole};
use crate::http::json::Json;
use crate::http::problem::ProviderOnly;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Checks a query's declared rules (`#[derive(Validate)]`, the bounds the
/// document states): a 422 naming each bad parameter, before any domain rule.
pub fn checked<T: Validate>(query: T) -> Result<T, ApiError> {
    query
        .validate()
        .map_err(|e| ApiError::validation(crate::http::json::field_errors(&e)))?;
    Ok(query)
}

/// Validates `limit` and `cursor`.
pub fn page(limit: Option<i64>, cursor: Option<String>) -> Result<PageRequest, ApiError> {
    PageRequest::parse(limit, cursor).map_err(|e| ApiError::validation(vec![e]))
}

/// Validates `limit` and the cursor of a list keyed by id: a cursor this API
/// did not hand out is a 422 naming `cursor`, before any query runs.
pub fn id_page(limit: Option<i64>, cursor: Option<String>) -> Result<PageRequest, ApiError> {
    let page = page(limit, cursor)?;
    if let Some(cursor) = &page.cursor {
        cursor
            .decode::<i64>()
            .map_err(|e| ApiError::validation(vec![e]))?;
    }
    Ok(page)
}

/// Apply as a provider.
///
/// Users registered as providers. Submits the business profile (business name,
/// zipcode in a served region, phone, bio) and the catalog services offered;
/// the application is `pending` until an LSM of the region decides, and the
/// region's LSMs are notified. A second application, or one too soon after a
/// rejection, is a 409.
#[utoipa::path(post, path = "/api/v1/providers", tag = "providers", security(("bearer" = [])), request_body = ApplyRequest, responses(
    (status = 201, description = "Application stored, status pending; the region's LSMs are told", body = ProviderDto),
    (status = 403, description = "Not a provider account, or `email_unverified` (when `auth.require_verified_email` is on)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already applied, or rejected too recently (the detail names the date a new application is accepted)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, unserved zipcode, unknown or retired services", body = Problem, content_type = "application/problem+json"),
))]
pub async fn apply(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    body: Json<ApplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let b = body.into_inner();
    let cmd = ApplyCommand {
        business_name: b.business_name,
        phone: b.phone,
        zipcode: b.zipcode,
        service_ids: b.service_ids,
        bio: b.bio,
    };
    let settings = state.admin.settings().await?;
    let catalog = state.catalog.get();
    let p = state
        .providers
        .apply(&ctx, &catalog, &settings, cmd)
        .await?;
    Ok(HttpResponse::Created().json(ProviderDto::from(p)))
}

/// The caller's provider profile with its offered services.
///
/// Providers. The caller's own profile with its status (pending, approved,
/// suspended, ...), warnings and offered services, whether or not approved.
/// Before applying it is a 404.
#[utoipa::path(get, path = "/api/v1/providers/me", tag = "providers", security(("bearer" = [])), responses(
    (status = 200, description = "Own profile", body = ProviderDto),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let (p, offered) = state.providers.me(&ctx).await?;
    let mut dto = ProviderDto::from(p);
    dto.services = Some(offered.into_iter().map(Into::into).collect());
    Ok(HttpResponse::Ok().json(dto))
}

/// Change the business name, phone or bio.
///
/// Providers. Changes the given profile fields; the region and approval are
/// unchanged. A rejected or banned provider's record is closed (409).
#[utoipa::path(patch, path = "/api/v1/providers/me", tag = "providers", security(("bearer" = [])), request_body = ProfilePatchRequest, responses(
    (status = 200, description = "Updated profile", body = ProviderDto),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_me(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    body: Json<ProfilePatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let b = body.into_inner();
    let cmd = UpdateProfileCommand {
        business_name: b.business_name,
        phone: b.phone,
        bio: b.bio,
    };
    let p = state.providers.update_me(&ctx, cmd).await?;
    Ok(HttpResponse::Ok().json(ProviderDto::from(p)))
}

/// Replace the set of offered services.
///
/// Providers. Replaces the whole set of catalog services offered; each must
/// exist and not be retired. Search and booking follow at once. A rejected or
/// banned provider's record is closed (409).
#[utoipa::path(put, path = "/api/v1/providers/me/services", tag = "providers", security(("bearer" = [])), request_body = OfferedServicesRequest, responses(
    (status = 200, description = "Offered services, active and switched off", body = [OfferedServiceDto]),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Empty list, unknown or retired services", body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_services(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    body: Json<OfferedServicesRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let catalog = state.catalog.get();
    let offered = state
        .providers
        .set_services(&ctx, &catalog, &body.service_ids)
        .await?;
    let dto: Vec<OfferedServiceDto> = offered.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(dto))
}

/// Switch one offered service on or off, or change its timing.
///
/// Providers. Pauses or resumes one offered service without removing it (a
/// switched-off service is not found in search and cannot be booked), and/or
/// sets how it fills the provider's hours: duration, slot interval, buffers,
/// minimum notice and horizon (fields not sent keep their value; never set,
/// the platform's defaults). The answer carries the timing in force. A
/// service not offered is a 404; a body with no field is a 422.
#[utoipa::path(patch, path = "/api/v1/providers/me/services/{service_id}", tag = "providers", security(("bearer" = [])), request_body = OfferedServicePatch,
    params(("service_id" = i64, Path, description = "Catalog service id")), responses(
    (status = 200, description = "The offered service with its timing in force", body = OfferedServiceDto),
    ProviderOnly,
    (status = 404, description = "Not applied, or the service is not offered", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid body, a timing field out of its bounds, or no field", body = Problem, content_type = "application/problem+json"),
))]
pub async fn patch_service(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    path: web::Path<i64>,
    body: Json<OfferedServicePatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let service = ServiceId(path.into_inner());
    let b = checked(body.into_inner())?;
    let patch = b.timing();
    if patch.is_none() && b.is_active.is_none() {
        return Err(ApiError::validation(vec![kernel::FieldError::new(
            "is_active",
            "send is_active or a timing field",
        )]));
    }
    if let Some(patch) = patch {
        state.scheduling.set_timing(&ctx, service, patch).await?;
    }
    if let Some(active) = b.is_active {
        state
            .providers
            .toggle_service(&ctx, service, active)
            .await?;
    }
    let (_, offered) = state.providers.me(&ctx).await?;
    let found = offered
        .into_iter()
        .find(|o| o.service_id == service)
        .ok_or(ApiError::not_found())?;
    let timing = state.scheduling.timing(&ctx, service).await?;
    let mut dto = OfferedServiceDto::from(found);
    dto.timing = Some(timing.into());
    Ok(HttpResponse::Ok().json(dto))
}

/// An approved provider's public profile.
///
/// Public. The business name, bio, region, offered services,
/// confidence-weighted rating, completed jobs and response metrics of an
/// approved provider. Pending, rejected, suspended and banned providers are a
/// 404.
#[utoipa::path(get, path = "/api/v1/providers/{id}", tag = "providers", security(), params(("id" = i64, Path, description = "Provider id")), responses(
    (status = 200, description = "Public profile", body = PublicProviderDto),
    (status = 404, description = "No such approved provider", body = Problem, content_type = "application/problem+json"),
))]
pub async fn public(
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (p, offered) = state
        .providers
        .public(ProviderId(path.into_inner()))
        .await?;
    let figures = state.search.card(p.id).await?;
    let figure = |f: fn(&supply::ports::ProviderCard) -> i64| figures.as_ref().map_or(0, f);
    Ok(HttpResponse::Ok().json(PublicProviderDto {
        id: p.id.0,
        business_name: p.business_name,
        region: p.region_code,
        bio: p.bio,
        service_ids: offered.iter().map(|o| o.service_id.0).collect(),
        approved_at: p.approved_at,
        rating_avg: figures
            .as_ref()
            .and_then(|c| super::search::rating_avg(c.rating_sum, c.rating_count)),
        rating_count: figure(|c| c.rating_count),
        completed_jobs: figure(|c| c.completed_jobs),
        median_response_minutes: figures.as_ref().and_then(|c| c.median_response_minutes),
        response_rate: figures.as_ref().and_then(|c| c.response_rate),
        cancellation_policy: state.scheduling.policy_of(p.id).await?.into(),
    }))
}

/// Query of the reviews list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An approved provider's ratings, newest first.
///
/// Public. The ratings customers gave an approved provider, with their axes and
/// feedback, newest first, paginated with `limit` and `cursor`. Other providers
/// are a 404.
#[utoipa::path(get, path = "/api/v1/providers/{id}/reviews", tag = "providers", security(), params(("id" = i64, Path, description = "Provider id"), ReviewQuery), responses(
    (status = 200, description = "A page of reviews", body = ReviewPage),
    (status = 404, description = "No such approved provider", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn reviews(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<ReviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = id_page(q.limit, q.cursor)?;
    let found = state
        .providers
        .reviews(ProviderId(path.into_inner()), &page)
        .await?;
    Ok(HttpResponse::Ok().json(ReviewPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}
