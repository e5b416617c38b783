//! `/services` and `/regions`, served from the in-memory catalog.

use actix_web::{HttpResponse, web};
use catalog::ServiceFilter;
use kernel::{PageRequest, ServiceId};

use super::dto::{RegionDto, RegionPage, ServiceDetailDto, ServiceDto, ServicePage, ServiceQuery};
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// The approved catalog, filtered and paginated.
///
/// Public. The approved catalog services customers can book, filtered by
/// `category` or keyword (`q`), paginated with `limit` and `cursor`. Retired
/// services are left out.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", security(), params(ServiceQuery), responses(
    (status = 200, description = "A page of services", body = ServicePage),
    (status = 422, description = "Unknown category, bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_services(
    state: web::Data<AppState>,
    query: web::Query<ServiceQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = super::providers::checked(query.into_inner())?;
    let filter = ServiceFilter::parse(q.category.as_deref(), q.q.as_deref())?;
    let page = PageRequest::parse(q.limit, q.cursor).map_err(|e| ApiError::validation(vec![e]))?;
    let catalog = state.catalog.get();
    let page = catalog.list_services(&filter, &page)?;
    Ok(HttpResponse::Ok().json(ServicePage {
        items: page.items.iter().map(ServiceDto::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

/// One service with its intake questions.
///
/// Public. The service with its category and the intake questions a customer
/// answers when booking it (their kinds, options and bounds).
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "catalog", security(), params(("id" = i64, Path, description = "Service id")), responses(
    (status = 200, description = "The service", body = ServiceDetailDto),
    (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_service(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog.get();
    let service = catalog
        .service(ServiceId(id.into_inner()))
        .ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(ServiceDetailDto {
        service: ServiceDto::from(service),
        questions: service
            .definition
            .questions
            .iter()
            .map(Into::into)
            .collect(),
    }))
}

/// Every served region with its zip prefixes.
///
/// Public. The regions the marketplace serves, each with its code, name and the
/// zip prefixes it covers, so a frontend can tell a customer whether their
/// zipcode is served.
#[utoipa::path(get, path = "/api/v1/regions", tag = "catalog", security(), responses(
    (status = 200, description = "All regions", body = RegionPage),
))]
pub async fn list_regions(state: web::Data<AppState>) -> HttpResponse {
    let catalog = state.catalog.get();
    HttpResponse::Ok().json(RegionPage {
        items: catalog
            .regions()
            .all()
            .iter()
            .map(RegionDto::from)
            .collect(),
        next_cursor: None,
    })
}
