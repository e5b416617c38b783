//! Liveness, readiness and metrics.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::ApiError;
use crate::http::metrics::Metrics;
use crate::http::metrics_access::MetricsAccess;
use crate::state::AppState;

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// The process is up.
///
/// Public liveness probe: answers 200 while the process serves requests,
/// without touching the database.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(), responses((status = 200, description = "OK", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers.
///
/// Public readiness probe for load balancers: 200 when the database answers
/// within 2 s, else 503 `not_ready`, so an instance that lost its database is
/// taken out of rotation.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(), responses(
    (status = 200, description = "OK", body = Health),
    (status = 503, description = "Database unreachable", body = crate::http::Problem, content_type = "application/problem+json"),
))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(Health { status: "ready" })),
        outcome => {
            tracing::warn!(?outcome, "readiness check failed");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                kernel::Code::NotReady,
                "the database is unreachable",
            ))
        }
    }
}

/// Prometheus metrics.
///
/// Request counts and latency histograms of this instance by method, matched
/// route pattern and status, for a Prometheus scraper. Only the holder of the
/// server's `metrics.token` may read them (`Authorization: Bearer <token>`);
/// while no token is configured the route answers 404 as if it did not exist.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(("metrics" = [])), responses(
    (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"),
    (status = 401, description = "No token, or not the configured `metrics.token`", body = crate::http::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No `metrics.token` is configured", body = crate::http::Problem, content_type = "application/problem+json"),
))]
pub async fn metrics(
    req: HttpRequest,
    metrics: web::Data<Metrics>,
    access: web::Data<MetricsAccess>,
) -> Result<HttpResponse, ApiError> {
    access.check(&req)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render()))
}
