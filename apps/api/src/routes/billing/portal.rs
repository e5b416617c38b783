//! `/portal/*`: the client portal of a tenant's contacts.

use actix_web::{HttpRequest, HttpResponse, web};

use super::dto::ListPage;
use super::invoice_dto::{InvoiceDto, PortalLoginRequest, PortalTokenDto};
use super::page;
use crate::auth::PortalUser;
use crate::http::json::Json;
use crate::http::{ApiError, Problem};
use crate::routes::dto::PageQuery;
use crate::state::AppState;

/// Log in as a contact: tenant slug, e-mail and portal password.
///
/// Public. A contact whose tenant enabled their portal access signs in and gets
/// a short-lived portal token (audience `stm-portal`), valid only on
/// `/portal/*`. Every failure is the same 401. Throttled per client IP and per
/// tenant + e-mail, failed attempts only for the latter (429 with
/// `Retry-After`).
#[utoipa::path(post, path = "/api/v1/portal/login", tag = "portal", security(), request_body = PortalLoginRequest, responses(
    (status = 200, description = "OK", body = PortalTokenDto),
    (status = 401, description = "Wrong tenant, e-mail or password, disabled portal or deleted contact (never says which)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts from this IP, or too many wrong passwords for this tenant and e-mail; see Retry-After", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<PortalLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let ip = req.peer_addr().map(|a| a.ip());
    let attempt = state
        .portal_limiter
        .begin(ip, &format!("{}/{}", b.tenant_slug.trim(), b.email.trim()))
        .map_err(ApiError::rate_limited)?;
    let outcome = state
        .billing
        .portal_login(&b.tenant_slug, &b.email, &b.password)
        .await;
    // As for staff logins, only a refused password costs the address an attempt.
    if matches!(outcome, Err(billing::BillingError::InvalidCredentials)) {
        attempt.failed();
    }
    let token = outcome?;
    Ok(HttpResponse::Ok().json(PortalTokenDto {
        access_token: token.token,
        token_type: "Bearer",
        expires_in: token.expires_in,
    }))
}

/// The issued invoices of the contact's party.
///
/// Contacts with client-portal access, with a portal token from `POST
/// /portal/login` (staff tokens are refused). The invoices of the contact's own
/// party once issued (drafts never appear), paginated with `limit` and
/// `cursor`. A revoked portal access is a 401.
#[utoipa::path(get, path = "/api/v1/portal/invoices", tag = "portal", security(("portal" = [])), params(PageQuery), responses(
    (status = 200, description = "OK", body = ListPage<InvoiceDto>),
    (status = 401, description = "No or bad portal token (staff tokens included), or access revoked", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn invoices(
    state: web::Data<AppState>,
    PortalUser(who): PortalUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let invoices = state
        .billing
        .portal_invoices(who, &page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(invoices, InvoiceDto::from)))
}

/// One issued invoice of the contact's party.
///
/// Contacts with client-portal access, with a portal token. The invoice with
/// its lines; drafts and other parties' invoices are a 404.
#[utoipa::path(get, path = "/api/v1/portal/invoices/{id}", tag = "portal", security(("portal" = [])), params(("id" = i64, Path)), responses(
    (status = 200, description = "OK", body = InvoiceDto),
    (status = 401, description = "No or bad portal token, or access revoked", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not an issued invoice of the contact's party", body = Problem, content_type = "application/problem+json"),
))]
pub async fn invoice(
    state: web::Data<AppState>,
    PortalUser(who): PortalUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(InvoiceDto::from(
        state.billing.portal_invoice(who, *id).await?,
    )))
}
