//! `/admin/*`: LSM accounts, settings, catalog edits, the audit log.

use actix_web::{HttpResponse, web};
use catalog::{Category, Question, Region, ServiceDefinition, ServiceStatus};
use kernel::{FieldError, ServiceId};
use supply::admin::CreateLsmCommand;

use super::admin_catalog_dto::{
    DEFAULT_TIME_ZONE, RegionBody, ServicePatchBody, ServiceRequestBody,
};
use super::admin_dto::{
    AuditPage, CreateLsmRequest, LsmAccountDto, LsmPage, SettingsDto, SettingsPatch,
};
use super::dto::PageQuery;
use super::dto::{RegionDto, ServiceDetailDto, ServiceDto};
use super::providers::id_page;
use crate::auth::{Admin, RequireRole};
use crate::http::json::Json;
use crate::http::problem::AdminOnly;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Create an LSM account for one region.
///
/// Admins only. Creates a user with the `lsm` role for one served region, with
/// the password given; the LSM signs in like anyone else and manages that
/// region's providers, listings and disputes. An e-mail already registered is a
/// 409, an unknown region a 422; hashing the password may answer 503 `busy`
/// when saturated.
#[utoipa::path(post, path = "/api/v1/admin/lsms", tag = "admin", security(("bearer" = [])), request_body = CreateLsmRequest, responses(
    (status = 201, description = "The LSM", body = LsmAccountDto),
    AdminOnly,
    (status = 409, description = "E-mail already registered", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields or unknown region", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); nothing stored, retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_lsm(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    body: Json<CreateLsmRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let b = body.into_inner();
    let cmd = CreateLsmCommand {
        email: b.email,
        password: b.password,
        first_name: b.first_name,
        last_name: b.last_name,
        region: b.region,
    };
    let catalog = state.catalog.get();
    let lsm = state.admin.create_lsm(&ctx, catalog.regions(), cmd).await?;
    Ok(HttpResponse::Created().json(LsmAccountDto::from(lsm)))
}

/// List LSMs.
///
/// Admins only. The local service managers (LSMs) of every region, paginated
/// with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/admin/lsms", tag = "admin", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "A page of LSMs", body = LsmPage),
    AdminOnly,
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_lsms(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let q = query.into_inner();
    let found = state.admin.lsms(&ctx, &id_page(q.limit, q.cursor)?).await?;
    Ok(HttpResponse::Ok().json(LsmPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

fn settings_dto(s: &supply::PlatformSettings) -> SettingsDto {
    SettingsDto(s.all().iter().map(|(k, v)| ((*k).to_owned(), *v)).collect())
}

/// The platform settings in force.
///
/// Admins only. Every platform setting with the value in force (response
/// deadline, warning thresholds, platform fee, quotas, ...), defaults included.
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, description = "Every setting", body = SettingsDto),
    AdminOnly,
))]
pub async fn get_settings(
    state: web::Data<AppState>,
    _role: RequireRole<Admin>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(settings_dto(&state.admin.settings().await?)))
}

/// Change settings: `{key: integer}`; every key validated, nothing stored if one is bad.
///
/// Admins only. Changes some settings: a JSON object of `{key: integer}`. Every
/// key and value is checked against its range first, and nothing is stored when
/// one is unknown or out of range (422 naming it). The change is audited and
/// takes effect at once; the answer is every setting after it.
#[utoipa::path(patch, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])), request_body = SettingsPatch, responses(
    (status = 200, description = "Every setting after the change", body = SettingsDto),
    AdminOnly,
    (status = 422, description = "Unknown key or value out of range (negative threshold, zero deadline, ...)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn patch_settings(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    body: Json<SettingsPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let settings = state.admin.update_settings(&ctx, &body.0.0).await?;
    Ok(HttpResponse::Ok().json(settings_dto(&settings)))
}

/// The decisions log, newest first.
///
/// Admins only. Every audited decision of the platform (approvals, suspensions,
/// bans, dispute resolutions, listing moderation, setting changes, ...) with
/// its actor, subject and reason, newest first, paginated with `limit` and
/// `cursor`. Other roles get 403.
#[utoipa::path(get, path = "/api/v1/admin/audit-log", tag = "admin", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "A page of decisions", body = AuditPage),
    AdminOnly,
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn audit_log(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let q = query.into_inner();
    let found = state
        .admin
        .audit_log(&ctx, &id_page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(AuditPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

fn definition(
    name: String,
    slug: String,
    description: String,
    category: &str,
    keywords: Vec<String>,
    questions: Vec<serde_json::Value>,
) -> Result<ServiceDefinition, ApiError> {
    let category = Category::parse(category).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new("category", "is not a category")])
    })?;
    let questions = questions
        .into_iter()
        .map(serde_json::from_value::<Question>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::validation(vec![FieldError::new("questions", e.to_string())]))?;
    Ok(ServiceDefinition {
        name,
        slug,
        description,
        category,
        keywords,
        questions,
    })
}

fn service_status(status: Option<&str>) -> Result<ServiceStatus, ApiError> {
    match status {
        None => Ok(ServiceStatus::Approved),
        Some(s) => ServiceStatus::parse(s).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "status",
                "must be approved or retired",
            )])
        }),
    }
}

async fn answer_service(
    state: &AppState,
    id: ServiceId,
    status: u16,
) -> Result<HttpResponse, ApiError> {
    state.reload_catalog().await?;
    let catalog = state.catalog.get();
    let service = catalog.service(id).ok_or_else(ApiError::not_found)?;
    let dto = ServiceDetailDto {
        service: ServiceDto::from(service),
        questions: service
            .definition
            .questions
            .iter()
            .map(Into::into)
            .collect(),
    };
    let mut res = if status == 201 {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(dto))
}

/// Add a catalog service.
///
/// Admins only. Adds a service to the catalog with its name, slug, category,
/// keywords and the intake questions customers answer when booking. A name or
/// slug already taken is a 409.
#[utoipa::path(post, path = "/api/v1/admin/services", tag = "admin", security(("bearer" = [])), request_body = ServiceRequestBody, responses(
    (status = 201, description = "The service", body = ServiceDetailDto),
    AdminOnly,
    (status = 409, description = "Name or slug taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid content", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_service(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    body: Json<ServiceRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let b = body.into_inner();
    let def = definition(
        b.name,
        b.slug,
        b.description,
        &b.category,
        b.keywords,
        b.questions,
    )?;
    let id = state.admin.create_service(&ctx, def).await?;
    answer_service(&state, id, 201).await
}

/// Edit or retire a catalog service.
///
/// Admins only. Changes a catalog service's content, or retires it so it is no
/// longer offered or booked (existing jobs keep it). A name or slug already
/// taken is a 409.
#[utoipa::path(patch, path = "/api/v1/admin/services/{id}", tag = "admin", security(("bearer" = [])), request_body = ServicePatchBody,
    params(("id" = i64, Path, description = "Service id")), responses(
    (status = 200, description = "The service", body = ServiceDetailDto),
    AdminOnly,
    (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Name or slug taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid content", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_service(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    path: web::Path<i64>,
    body: Json<ServicePatchBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let id = ServiceId(path.into_inner());
    // Merge onto what is stored now, not onto this instance's snapshot, which may
    // not have seen an edit made on another instance yet.
    state.reload_catalog().await?;
    let catalog = state.catalog.get();
    let current = catalog.service(id).ok_or_else(ApiError::not_found)?;
    let b = body.into_inner();
    let d = current.definition.clone();
    let questions = match b.questions {
        Some(q) => q,
        None => d
            .questions
            .iter()
            .filter_map(|q| serde_json::to_value(q).ok())
            .collect(),
    };
    let def = definition(
        b.name.unwrap_or(d.name),
        b.slug.unwrap_or(d.slug),
        b.description.unwrap_or(d.description),
        b.category.as_deref().unwrap_or(d.category.as_str()),
        b.keywords.unwrap_or(d.keywords),
        questions,
    )?;
    let status = match b.status.as_deref() {
        None => current.status,
        some => service_status(some)?,
    };
    state.admin.update_service(&ctx, id, def, status).await?;
    answer_service(&state, id, 200).await
}

/// Add a served region.
///
/// Admins only. Adds a served region with its code, name and zip prefixes;
/// customers in those zipcodes can then search and book. A code already used,
/// or a prefix another region serves, is a 409.
#[utoipa::path(post, path = "/api/v1/admin/regions", tag = "admin", security(("bearer" = [])), request_body = RegionBody, responses(
    (status = 201, description = "The region", body = RegionDto),
    AdminOnly,
    (status = 409, description = "A region with this code exists, or another region serves one of the prefixes", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad code, name or prefix", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_region(
    state: web::Data<AppState>,
    role: RequireRole<Admin>,
    body: Json<RegionBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let b = body.into_inner();
    let region = Region {
        code: b.code,
        name: b.name,
        time_zone: b.time_zone.unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
        zip_prefixes: b.zip_prefixes,
    };
    let catalog = state.catalog.get();
    state
        .admin
        .create_region(&ctx, catalog.regions(), region.clone())
        .await?;
    state.reload_catalog().await?;
    Ok(HttpResponse::Created().json(RegionDto::from(&region)))
}
