//! `/marketplace/transactions`: the sales in a provider's books. A paid job
//! records one; the provider's staff record off-platform sales and move them
//! (complete, cancel, refund), each with its marketplace invoice.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use marketplace::SaleAction;

use super::marketplace_dto::{
    TransactionDto, TransactionPage, TransactionQuery, TransactionRequest,
};
use crate::auth::AuthUser;
use crate::http::body::EmptyBody;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::problem::StaffActionProblems;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

fn transaction(status: StatusCode, t: marketplace::SaleRecord) -> HttpResponse {
    HttpResponse::build(status).json(TransactionDto::from(t))
}

/// The caller's marketplace transactions: staff of a tenant read the
/// tenant's, and everyone the ones they are the client of.
///
/// Any signed-in user; rows the caller is neither staff of the tenant nor the
/// client of are absent. Paginated with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/marketplace/transactions", tag = "marketplace", security(("bearer" = [])), params(TransactionQuery), responses(
    (status = 200, description = "Newest first", body = TransactionPage),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    query: web::Query<TransactionQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = super::providers::id_page(q.limit, q.cursor)?;
    let found = state.sales.list(&ctx, page).await?;
    Ok(HttpResponse::Ok().json(TransactionPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

/// Staff of a tenant record an off-platform sale: `pending`, fee and net
/// computed from `platform_fee_bps`, with an issued marketplace invoice.
///
/// Staff of the provider's tenant. Amounts are integer minor units of the
/// currency; `platform_fee_cents` and `net_payout_cents` are computed, never
/// inputs. Complete, cancel or refund it with the routes below.
#[utoipa::path(post, path = "/api/v1/marketplace/transactions", tag = "marketplace", security(("bearer" = [])), request_body = TransactionRequest, responses(
    (status = 201, description = "The transaction, `pending`, with computed `platform_fee_cents` and `net_payout_cents` and its `invoice_id`", body = TransactionDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not staff of a tenant", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`client_party_id` or `service_listing_id` is not the tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid or unknown field (each named; `platform_fee_cents` and `net_payout_cents` are not inputs); a `client_user_id` that is not a client of the provider (a customer of one of its jobs, or who opened an inquiry on one of its listings) — the same answer whether the id names a user or not", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`quota_exceeded`: the tenant named clients in `sale_notices_per_hour` sales within the last hour; see Retry-After. Sales without `client_user_id` and paid jobs are never refused", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<TransactionRequest>,
) -> Result<HttpResponse, ApiError> {
    let made = state.sales.create(&ctx, body.into_inner().into()).await?;
    Ok(transaction(StatusCode::CREATED, made))
}

/// One transaction: the tenant's staff and its client see it.
///
/// Anyone else gets 404, whether or not it exists. Amounts are integer minor
/// units of the currency.
#[utoipa::path(get, path = "/api/v1/marketplace/transactions/{id}", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    (status = 200, description = "The transaction", body = TransactionDto),
    (status = 404, description = "Absent, or neither the caller's tenant's nor theirs as client", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = state.sales.get(&ctx, *id).await?;
    Ok(transaction(StatusCode::OK, found))
}

/// The client paid: `pending → completed`; its invoice gets one succeeded payment of the whole amount (the transaction's `payment_method`, else `other`) and is `paid`.
///
/// Staff of the transaction's tenant. The client may read the transaction but not act on it (403). A transaction no longer pending, or whose invoice was changed in billing, is a 409.
#[utoipa::path(post, path = "/api/v1/marketplace/transactions/{id}/complete", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The transaction after the change", body = TransactionDto),
    (status = 409, description = "Not pending, or its invoice was changed in billing", body = Problem, content_type = "application/problem+json"),
    StaffActionProblems,
))]
pub async fn complete(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let changed = state.sales.act(&ctx, *id, SaleAction::Complete).await?;
    Ok(transaction(StatusCode::OK, changed))
}

/// Called off before payment: `pending → cancelled`; its invoice is `void`.
///
/// Staff of the transaction's tenant. The client may read the transaction but not act on it (403). A transaction no longer pending, or whose invoice was changed in billing, is a 409.
#[utoipa::path(post, path = "/api/v1/marketplace/transactions/{id}/cancel", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The transaction after the change", body = TransactionDto),
    (status = 409, description = "Not pending, or its invoice was changed in billing", body = Problem, content_type = "application/problem+json"),
    StaffActionProblems,
))]
pub async fn cancel(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let changed = state.sales.act(&ctx, *id, SaleAction::Cancel).await?;
    Ok(transaction(StatusCode::OK, changed))
}

/// Paid back: `completed → refunded`; its payment is refunded in full and the invoice is `issued` again at its full balance. A second refund is a 409.
///
/// Staff of the transaction's tenant. The client may read the transaction but not act on it (403); an invoice voided in billing is a 409.
#[utoipa::path(post, path = "/api/v1/marketplace/transactions/{id}/refund", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The transaction after the change", body = TransactionDto),
    (status = 409, description = "Not completed (a second refund), or its invoice is void", body = Problem, content_type = "application/problem+json"),
    StaffActionProblems,
))]
pub async fn refund(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let changed = state.sales.act(&ctx, *id, SaleAction::Refund).await?;
    Ok(transaction(StatusCode::OK, changed))
}
