//! `/billing/invoices` and `/billing/payments`.

use actix_web::{HttpRequest, HttpResponse, web};
use billing::invoice::LineInput;
use billing::service::{InvoiceInput, InvoiceListQuery, PaymentInput, RefundInput};

use super::dto::ListPage;
use super::invoice_dto::{
    EmptyBody, InvoiceDto, InvoiceQuery, InvoiceRequest, PaymentDto, PaymentQuery, PaymentRequest,
    RefundRequest,
};
use super::page;
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::precondition::{if_match, with_etag};
use crate::http::problem::TenantProblems;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

fn input(b: InvoiceRequest) -> InvoiceInput {
    InvoiceInput {
        client_party_id: b.client_party_id,
        currency: b.currency,
        due_date: b.due_date,
        notes: b.notes,
        deposit_cents: b.deposit_cents,
        lines: b.lines.map(|lines| {
            lines
                .into_iter()
                .map(|l| LineInput {
                    description: l.description,
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                })
                .collect()
        }),
    }
}

fn one(status: actix_web::http::StatusCode, invoice: billing::Invoice) -> HttpResponse {
    let version = invoice.version;
    with_etag(HttpResponse::build(status), version).json(InvoiceDto::from(invoice))
}

/// Create a draft invoice from its lines.
///
/// Staff of a tenant. Creates a `draft` for one of the tenant's parties from
/// its lines; totals are computed in integer minor units of the invoice's
/// currency and checked for overflow. The `ETag` header holds the version for
/// later `If-Match`.
#[utoipa::path(post, path = "/api/v1/billing/invoices", tag = "billing", security(("bearer" = [])), request_body = InvoiceRequest, responses(
    TenantProblems,
    (status = 201, description = "The draft; `ETag` holds its version", body = InvoiceDto),
    (status = 404, description = "The client party is absent or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid lines, overflow, deposit above amount, bad currency", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<InvoiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let invoice = state
        .billing
        .create_invoice(&ctx, input(body.into_inner()))
        .await?;
    Ok(one(actix_web::http::StatusCode::CREATED, invoice))
}

/// Live invoices, newest first, filtered.
///
/// Staff of a tenant. The tenant's invoices without their lines, filtered by
/// status, client party, marketplace origin and due date, paginated with
/// `limit` and `cursor`. A party or cursor of another tenant is a 404.
#[utoipa::path(get, path = "/api/v1/billing/invoices", tag = "billing", security(("bearer" = [])), params(InvoiceQuery), responses(
    TenantProblems,
    (status = 200, description = "A page (without lines)", body = ListPage<InvoiceDto>),
    (status = 404, description = "A party or cursor of another tenant", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<InvoiceQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = page(q.limit, q.cursor)?;
    let query = InvoiceListQuery {
        status: q.status,
        client_party_id: q.client_party_id,
        is_marketplace: q.is_marketplace,
        due_before: q.due_before,
        due_after: q.due_after,
    };
    let invoices = state.billing.invoices(&ctx, query, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(invoices, InvoiceDto::from)))
}

/// An invoice with its lines; `ETag` holds its version.
///
/// Staff of a tenant. The invoice with its lines, totals, balance and status;
/// `ETag` holds its version for `If-Match` on later changes. Another tenant's
/// invoice is a 404.
#[utoipa::path(get, path = "/api/v1/billing/invoices/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    TenantProblems,
    (status = 200, description = "OK", body = InvoiceDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(one(
        actix_web::http::StatusCode::OK,
        state.billing.invoice(&ctx, *id).await?,
    ))
}

/// Edit a draft (`If-Match` optional; 412 when stale).
///
/// Staff of a tenant. Changes a draft's fields or lines; totals are recomputed.
/// Issued, paid and void invoices are not editable (409). `If-Match` is
/// optional; a stale version is a 412, so two editors cannot overwrite each
/// other unknowingly.
#[utoipa::path(patch, path = "/api/v1/billing/invoices/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags (`\"1\", \"7\"`); without it a lost race is re-read and re-applied")), request_body = InvoiceRequest, responses(
    TenantProblems,
    (status = 200, description = "OK", body = InvoiceDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "Malformed If-Match (or body)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<InvoiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    let invoice = state
        .billing
        .update_invoice(&ctx, *id, &precondition, input(body.into_inner()))
        .await?;
    Ok(one(actix_web::http::StatusCode::OK, invoice))
}

/// Issue a draft.
///
/// Staff of a tenant. An issued invoice can no longer be edited, can be paid,
/// and appears in the client portal of its party. A draft with nothing to bill
/// is a 422; an invoice that is not a draft is a 409. `If-Match` is optional; a
/// stale version is a 412.
#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/issue", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags (`\"1\", \"7\"`); without it a lost race is re-read and re-applied")), request_body(content = Option<EmptyBody>, description = "None or `{}`; anything else is refused"), responses(
    TenantProblems,
    (status = 200, description = "OK", body = InvoiceDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "Malformed If-Match (or body)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Nothing to bill", body = Problem, content_type = "application/problem+json"),
))]
pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    Ok(one(
        actix_web::http::StatusCode::OK,
        state
            .billing
            .issue_invoice(&ctx, *id, &precondition)
            .await?,
    ))
}

/// Void a draft or an unpaid issued invoice.
///
/// Staff of a tenant. Voids a draft or an issued invoice without succeeded
/// payments; a voided invoice can no longer be paid or edited. Invoices with
/// succeeded payments (refund them first) or already void are a 409.
#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/void", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags (`\"1\", \"7\"`); without it a lost race is re-read and re-applied")), request_body(content = Option<EmptyBody>, description = "None or `{}`; anything else is refused"), responses(
    TenantProblems,
    (status = 200, description = "OK", body = InvoiceDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Has succeeded payments, or already void", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "Malformed If-Match (or body)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
))]
pub async fn void(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    Ok(one(
        actix_web::http::StatusCode::OK,
        state.billing.void_invoice(&ctx, *id, &precondition).await?,
    ))
}

/// Soft-delete an invoice without succeeded payments.
///
/// Staff of a tenant. Marks the invoice deleted. An invoice with succeeded
/// payments cannot be deleted (409): refund its payments and void it instead.
/// `If-Match` is optional; a stale one is a 412.
#[utoipa::path(delete, path = "/api/v1/billing/invoices/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "`*` or a list of strong entity tags (`\"1\", \"7\"`); without it a lost race is re-read and re-applied")), request_body(content = Option<EmptyBody>, description = "None or `{}`; anything else is refused"), responses(
    TenantProblems,
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Has succeeded payments: refund and void it instead", body = Problem, content_type = "application/problem+json"),
    (status = 400, description = "Malformed If-Match (or body)", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match names none of the current version", body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req)?;
    state
        .billing
        .delete_invoice(&ctx, *id, &precondition)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a payment. With `Idempotency-Key`, a retry of the same request
/// returns the first answer and records nothing more.
///
/// Staff of a tenant. Records a payment against an issued or partially paid
/// invoice; the balance and status follow (`partially_paid`, `paid`).
/// Concurrent payments never overpay: an amount above the balance is a 422. The
/// same `Idempotency-Key` with another body is a 422.
#[utoipa::path(post, path = "/api/v1/billing/invoices/{id}/payments", tag = "billing", security(("bearer" = [])),
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters", min_length = 1, max_length = 255, pattern = "^[!-~]{1,255}$")),
    request_body = PaymentRequest, responses(
    TenantProblems,
    (status = 201, description = "The payment with the invoice's new balance and status", body = PaymentDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The invoice is not issued or partially paid", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Amount ≤ 0 or above the balance; key reused with another body", body = Problem, content_type = "application/problem+json"),
))]
pub async fn pay(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<PaymentRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = match req.headers().get("idempotency-key") {
        Some(v) => Some(idempotency_key(v)?),
        None => None,
    };
    let b = body.into_inner();
    let cmd = PaymentInput {
        amount_cents: b.amount_cents,
        method: b.method,
        reference: b.reference,
        received_at: b.received_at,
        idempotency_key: key,
    };
    let outcome = state.billing.record_payment(&ctx, *id, cmd).await?;
    let mut res = HttpResponse::Created();
    if outcome.replayed {
        res.insert_header(("idempotent-replayed", "true"));
    }
    Ok(res.json(PaymentDto::new(outcome.payment, Some(&outcome.invoice))))
}

/// The `Idempotency-Key` header as the document states it, checked before the
/// tenant is looked up (the domain checks it again, trimmed).
fn idempotency_key(v: &actix_web::http::header::HeaderValue) -> Result<String, ApiError> {
    // Bytes that are not visible ASCII fail `to_str`, and then the format, alike.
    let key = v.to_str().unwrap_or_default();
    super::formats::idempotency_key(key).map_err(|e| {
        let message = e.message.map_or_else(String::new, |m| m.into_owned());
        ApiError::validation(vec![kernel::FieldError::new("Idempotency-Key", message)])
    })?;
    Ok(key.to_owned())
}

/// Refund part or all of a succeeded payment. No body or `{}` refunds all that
/// remains; the answer is the payment with its invoice's new balance and status
/// (a refund can move a paid invoice back to `partially_paid` or `issued`).
///
/// Staff of a tenant. Concurrent refunds never refund more than was paid. A
/// payment already refunded in full, or not succeeded, is a 409.
#[utoipa::path(post, path = "/api/v1/billing/payments/{id}/refund", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<RefundRequest>, description = "Optional; absent or `{}` refunds all that remains"), responses(
    TenantProblems,
    (status = 200, description = "The payment (`refunded_cents`, `status`) with `invoice` (balance, status, version)", body = PaymentDto),
    (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already refunded in full, or not a succeeded payment", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`amount_cents` ≤ 0 or above what remains refundable; bad `reason`; not an object or unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn refund(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<RefundRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.unwrap_or_default();
    let input = RefundInput {
        amount_cents: body.amount_cents,
        reason: body.reason,
    };
    let outcome = state.billing.refund_payment(&ctx, *id, input).await?;
    Ok(HttpResponse::Ok().json(PaymentDto::new(outcome.payment, Some(&outcome.invoice))))
}

/// Payments, newest first.
///
/// Staff of a tenant. The tenant's payments with their refunded amounts,
/// optionally for one invoice, paginated with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/billing/payments", tag = "billing", security(("bearer" = [])), params(PaymentQuery), responses(
    TenantProblems,
    (status = 200, description = "OK", body = ListPage<PaymentDto>),
    (status = 404, description = "An invoice or cursor of another tenant", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn payments(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<PaymentQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = page(q.limit, q.cursor)?;
    let payments = state.billing.payments(&ctx, q.invoice_id, &page).await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(payments, |p| PaymentDto::new(p, None))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_idempotency_key_is_the_checked_one() {
        let doc: serde_json::Value =
            serde_json::from_str(&crate::openapi::document()).unwrap_or_default();
        let params = &doc["paths"]["/api/v1/billing/invoices/{id}/payments"]["post"]["parameters"];
        let key = params
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "Idempotency-Key"))
            .map(|p| p["schema"].clone())
            .unwrap_or_default();
        assert_eq!(key["pattern"], super::super::formats::IDEMPOTENCY_KEY);
        assert_eq!(key["maxLength"], super::super::formats::IDEMPOTENCY_KEY_MAX);
    }
}
