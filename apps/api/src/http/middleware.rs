//! The middleware every request passes: metrics, the request-id header, the
//! security headers, and a last guard that turns any non-problem error body
//! into a problem.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};

use super::metrics::{Labels, Metrics};
use super::problem::{ApiError, PROBLEM_JSON};

/// The Swagger UI's policy: its own scripts, styles and fonts only (its
/// inline `style` attributes and `data:` icons included), requests to this
/// origin only (the document and "Try it out"), and never inside a frame.
/// Checked in headless Chromium (docs/api.md, *Security headers*).
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Records metrics, adds `x-request-id` and the security headers, and makes
/// sure errors are problems.
pub async fn observe<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().clone();
    // Handlers, extractors and the CORS layer answer errors as responses, so
    // an `Err` here would be a bug of a layer, not a client's doing.
    let res = next.call(req).await?.map_into_boxed_body();
    let res = secured(ensure_problem(res));
    if let Some(metrics) = metrics {
        let labels = Labels::new(
            method.as_str(),
            res.request().match_pattern(),
            res.status().as_u16(),
        );
        metrics.observe(labels, started.elapsed().as_secs_f64());
    }
    Ok(with_request_id(res))
}

/// `nosniff` on every answer; the Swagger UI pages also get their
/// Content-Security-Policy and may not be framed.
fn secured(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let path = res.request().path();
    let docs = path == "/docs" || path.starts_with("/docs/");
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if docs {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

fn with_request_id(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let id = res
        .request()
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(ToString::to_string);
    if let Some(value) = id.and_then(|id: String| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    res
}

/// Errors produced outside our handlers (actix defaults) get a problem body.
fn ensure_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let code = match status.as_u16() {
        404 => kernel::Code::NotFound,
        405 => kernel::Code::MethodNotAllowed,
        413 => kernel::Code::PayloadTooLarge,
        415 => kernel::Code::UnsupportedMediaType,
        s if s >= 500 => kernel::Code::Internal,
        _ => kernel::Code::BadRequest,
    };
    let detail = status.canonical_reason().unwrap_or("error").to_lowercase();
    let problem = ApiError::new(status, code, detail).error_response();
    let (req, original) = res.into_parts();
    let mut problem = problem.map_into_boxed_body();
    // Keep headers actix set on purpose (e.g. `Allow`, CORS), but not the old body's type.
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, problem)
}
