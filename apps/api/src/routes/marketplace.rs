//! `/marketplace/transactions`: the sales recorded in a provider's books (a
//! paid job records one). Read only here.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use jobs::ports::TransactionRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// One marketplace transaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionDto {
    /// Id.
    pub id: i64,
    /// The provider's tenant.
    pub provider_tenant_id: i64,
    /// The provider's user.
    pub provider_user_id: i64,
    /// The customer, for a job.
    pub client_user_id: Option<i64>,
    /// The job paid, for a job.
    pub job_id: Option<i64>,
    /// What was sold.
    pub service_description: String,
    /// Price in cents.
    pub amount_cents: i64,
    /// ISO 4217.
    pub currency: String,
    /// The platform's cut (`platform_fee_bps` of the price, rounded half up).
    pub platform_fee_cents: i64,
    /// Price minus fee.
    pub net_payout_cents: i64,
    /// The day of the sale (UTC).
    pub transaction_date: NaiveDate,
    /// `pending`, `completed`, `cancelled`, `refunded`.
    pub status: String,
    /// How it was paid.
    pub payment_method: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<TransactionRecord> for TransactionDto {
    fn from(t: TransactionRecord) -> Self {
        Self {
            id: t.id,
            provider_tenant_id: t.provider_tenant_id.0,
            provider_user_id: t.provider_user_id.0,
            client_user_id: t.client_user_id.map(|u| u.0),
            job_id: t.job_id,
            service_description: t.service_description,
            amount_cents: t.amount_cents,
            currency: t.currency,
            platform_fee_cents: t.platform_fee_cents,
            net_payout_cents: t.net_payout_cents,
            transaction_date: t.transaction_date,
            status: t.status,
            payment_method: t.payment_method,
            created_at: t.created_at,
        }
    }
}

/// A page of transactions.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionPage {
    /// Newest first.
    pub items: Vec<TransactionDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// `GET /marketplace/transactions` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TransactionQuery {
    /// 1–100, default 20.
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// The caller's marketplace transactions: staff of a provider's tenant read
/// the tenant's, a user without a tenant those they were the client of.
#[utoipa::path(get, path = "/api/v1/marketplace/transactions", tag = "marketplace", security(("bearer" = [])), params(TransactionQuery), responses(
    (status = 200, description = "Newest first", body = TransactionPage),
    (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    query: web::Query<TransactionQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = super::providers::id_page(q.limit, q.cursor)?;
    let found = state.transactions.list(&ctx, page).await?;
    Ok(HttpResponse::Ok().json(TransactionPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}
