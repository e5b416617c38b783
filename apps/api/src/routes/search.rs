//! `GET /search` and `GET /services/popular`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use supply::search::SearchQuery;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::providers::{checked, page};
use crate::auth::MaybeUser;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Query of `GET /search`.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the customer typed (service name, slug or synonym; small typos
    /// forgiven), up to 100 characters.
    #[param(required = true, min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub q: Option<String>,
    /// Zipcode to search in (12345 or 12345-6789). One of `zipcode` and
    /// `region` is required (a rule OpenAPI cannot state for parameters; a
    /// request with neither is a 422).
    #[param(pattern = "^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "crate::http::rules::zipcode"))]
    pub zipcode: Option<String>,
    /// Region code, when no zipcode is given (checked even when one is).
    #[param(pattern = "^[a-z0-9_]{2,16}$")]
    #[validate(custom(function = "super::dto::region_code"))]
    pub region: Option<String>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `YYYY-MM-DD`: only providers with at least one free slot of the
    /// service starting that day (in the searched region's zone).
    pub available_on: Option<chrono::NaiveDate>,
    /// `HH:MM`, with `available_on`: slots starting at or after this time (default 00:00).
    #[param(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub from: Option<String>,
    /// `HH:MM` (24:00 allowed), with `available_on`: slots starting before this time (default 24:00).
    #[param(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub to: Option<String>,
}

/// The day window of `available_on`, `from` and `to`, each checked.
fn day_window(p: &SearchParams) -> Result<Option<supply::search::DayWindow>, ApiError> {
    let mut errors = Vec::new();
    let clock =
        |field: &str, v: &Option<String>, default: u16, errors: &mut Vec<kernel::FieldError>| {
            match v.as_deref().map(super::schedule_dto::parse_clock) {
                None => default,
                Some(Some(m)) => m,
                Some(None) => {
                    errors.push(kernel::FieldError::new(field, "must be HH:MM"));
                    default
                }
            }
        };
    let from = clock("from", &p.from, 0, &mut errors);
    let to = clock("to", &p.to, 1440, &mut errors);
    if from >= 1440 {
        errors.push(kernel::FieldError::new("from", "must be before 24:00"));
    }
    if errors.is_empty() && to <= from {
        errors.push(kernel::FieldError::new("to", "must be after from"));
    }
    if let Some(day) = p.available_on
        && let Err(e) = kernel::dates::check_date("available_on", day)
    {
        errors.push(e);
    }
    if p.available_on.is_none() && (p.from.is_some() || p.to.is_some()) {
        errors.push(kernel::FieldError::new(
            "available_on",
            "is required with from and to",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(p.available_on.map(|day| supply::search::DayWindow {
        day,
        from_minute: from,
        to_minute: to,
    }))
}

/// The resolved service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchServiceDto {
    pub id: i64,
    pub name: String,
}

/// The resolved region.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchRegionDto {
    pub code: String,
    pub name: String,
}

/// A provider card.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderCardDto {
    /// Provider id.
    pub provider_id: i64,
    /// Business name.
    pub business_name: String,
    /// Mean rating, 1–5 (null without ratings).
    pub rating_avg: Option<f64>,
    /// Number of ratings.
    pub rating_count: i64,
    /// Completed jobs.
    pub completed_jobs: i64,
    /// Median minutes to answer a job (null until measured).
    pub median_response_minutes: Option<i64>,
    /// Share of the last 90 days' jobs answered before the deadline (null without jobs).
    pub response_rate: Option<f64>,
    /// What a late cancel costs with this provider (the default, flexible,
    /// when it chose none).
    pub cancellation_policy: super::schedule_dto::PolicyDto,
}

/// A search answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The service the keyword resolved to.
    pub service: Option<SearchServiceDto>,
    /// The region searched.
    pub region: Option<SearchRegionDto>,
    /// Providers, best first.
    pub items: Vec<ProviderCardDto>,
    /// Next page.
    pub next_cursor: Option<String>,
    /// Set when nothing matched: the recorded request for the region's LSMs.
    pub service_request_id: Option<i64>,
}

/// Search providers of a service near a zipcode (or in a region).
///
/// Public; a token is optional and, when sent, must be valid (401 otherwise).
/// The keyword resolves to a catalog service by name, slug or synonym, tolerant
/// of small typos; the result is that region's approved providers offering it,
/// ranked by confidence-weighted rating, response rate and completed jobs,
/// paginated. With `available_on` (and optionally `from`/`to`, wall-clock
/// times of the region's zone) only providers with at least one free slot of
/// the service starting in that window are kept (providers without hours
/// have none). When nothing matches, the search is recorded as demand for the
/// region's LSMs and its `service_request_id` returned.
#[utoipa::path(get, path = "/api/v1/search", tag = "catalog", params(SearchParams), security((), ("bearer" = [])), responses(
    (status = 200, description = "Ranked providers; `service_request_id` when nothing matched", body = SearchResponse),
    (status = 401, description = "A token was sent but is invalid", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing keyword, malformed zipcode, unknown region, bad limit or cursor, a bad `available_on`/`from`/`to` window", body = Problem, content_type = "application/problem+json"),
))]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
    MaybeUser(ctx): MaybeUser,
    query: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let p = checked(query.into_inner())?;
    let available = day_window(&p)?;
    let query = SearchQuery {
        available,
        q: p.q,
        zipcode: p.zipcode,
        region: p.region,
        page: page(p.limit, p.cursor)?,
        // The TCP peer, as the login limiter derives it: no proxy header is trusted.
        client: req.peer_addr().map(|a| a.ip()),
    };
    let catalog = state.catalog.get();
    let result = state.search.search(ctx.as_ref(), &catalog, query).await?;
    Ok(HttpResponse::Ok().json(SearchResponse {
        service: result.service.map(|s| SearchServiceDto {
            id: s.id.0,
            name: s.definition.name,
        }),
        region: result.region.map(|r| SearchRegionDto {
            code: r.code,
            name: r.name,
        }),
        items: result
            .items
            .into_iter()
            .map(|c| ProviderCardDto {
                provider_id: c.provider_id.0,
                business_name: c.business_name,
                rating_avg: rating_avg(c.rating_sum, c.rating_count),
                rating_count: c.rating_count,
                completed_jobs: c.completed_jobs,
                median_response_minutes: c.median_response_minutes,
                response_rate: c.response_rate,
                cancellation_policy: c.cancellation_policy.into(),
            })
            .collect(),
        next_cursor: result.next_cursor.map(|c| c.as_str().to_owned()),
        service_request_id: result.service_request_id,
    }))
}

/// Query of `GET /services/popular`.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PopularParams {
    /// Region code.
    #[param(pattern = "^[a-z0-9_]{2,16}$")]
    #[validate(custom(function = "super::dto::region_code"))]
    pub region: Option<String>,
    /// Or a zipcode (12345 or 12345-6789; checked even when a region is given).
    #[param(pattern = "^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "crate::http::rules::zipcode"))]
    pub zipcode: Option<String>,
}

/// A popular service.
#[derive(Debug, Serialize, ToSchema)]
pub struct PopularServiceDto {
    /// Service id.
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// Searches in the last window.
    pub search_count: i64,
}

/// The popular services of a region.
#[derive(Debug, Serialize, ToSchema)]
pub struct PopularResponse {
    /// Region code.
    pub region: String,
    /// Popular services, most searched first.
    pub items: Vec<PopularServiceDto>,
}

/// The popular services of a region (admin overrides win).
///
/// Public. The services most searched by distinct searchers in a region (given
/// as `region` or a served `zipcode`), computed weekly; admin overrides win
/// over the computation.
#[utoipa::path(get, path = "/api/v1/services/popular", tag = "catalog", security(), params(PopularParams), responses(
    (status = 200, description = "Popular services", body = PopularResponse),
    (status = 422, description = "No region or zipcode, unknown region, malformed or unserved zipcode", body = Problem, content_type = "application/problem+json"),
))]
pub async fn popular(
    state: web::Data<AppState>,
    query: web::Query<PopularParams>,
) -> Result<HttpResponse, ApiError> {
    let p = checked(query.into_inner())?;
    let catalog = state.catalog.get();
    let region = match (p.region.as_deref(), p.zipcode.as_deref()) {
        (Some(code), _) => catalog.regions().get(code).ok_or_else(|| {
            ApiError::validation(vec![kernel::FieldError::new(
                "region",
                "is not a region code",
            )])
        })?,
        (None, Some(zip)) => catalog.regions().resolve_input("zipcode", zip)?,
        (None, None) => {
            return Err(ApiError::validation(vec![kernel::FieldError::new(
                "region",
                "give a region or a zipcode",
            )]));
        }
    };
    let items = state.demand.popular(&catalog, region).await?;
    Ok(HttpResponse::Ok().json(PopularResponse {
        region: region.code.clone(),
        items: items
            .into_iter()
            .map(|(s, n)| PopularServiceDto {
                id: s.id.0,
                name: s.definition.name,
                slug: s.definition.slug,
                search_count: n,
            })
            .collect(),
    }))
}

/// Mean stars rounded to two decimals; none before the first rating.
pub(crate) fn rating_avg(sum: i64, count: i64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (count > 0).then(|| (sum as f64 / count as f64 * 100.0).round() / 100.0)
}
