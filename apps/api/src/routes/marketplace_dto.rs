//! Wire types of marketplace transactions.

use chrono::{DateTime, NaiveDate, Utc};
use marketplace::{SaleInput, SaleRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// One marketplace transaction.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionDto {
    /// Primary key.
    pub id: i64,
    /// The provider's tenant.
    pub provider_tenant_id: i64,
    /// The provider's user.
    pub provider_user_id: i64,
    /// The client party, in the provider's tenant.
    pub client_party_id: Option<i64>,
    /// The client's user (the customer of a job).
    pub client_user_id: Option<i64>,
    /// The listing sold from.
    pub service_listing_id: Option<i64>,
    /// The job paid, for a job.
    pub job_id: Option<i64>,
    /// What was sold.
    pub service_description: String,
    /// Price in minor units of `currency`.
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
    #[schema(value_type = super::enums::SaleStatus)]
    pub status: String,
    /// `sale` (recorded by the provider), `job_payment` (a job marked paid)
    /// or `cancellation_fee` (a customer's late cancel).
    #[schema(pattern = "^(sale|job_payment|cancellation_fee)$")]
    pub kind: String,
    /// How it was (or is to be) paid.
    #[schema(value_type = Option<super::enums::PaymentMethod>)]
    pub payment_method: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Its marketplace invoice in the provider's tenant.
    pub invoice_id: Option<i64>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When its status last moved.
    pub updated_at: DateTime<Utc>,
}

impl From<SaleRecord> for TransactionDto {
    fn from(t: SaleRecord) -> Self {
        Self {
            id: t.id,
            provider_tenant_id: t.provider_tenant_id.0,
            provider_user_id: t.provider_user_id.0,
            client_party_id: t.client_party_id,
            client_user_id: t.client_user_id.map(|u| u.0),
            service_listing_id: t.service_listing_id,
            job_id: t.job_id,
            service_description: t.service_description,
            amount_cents: t.amount_cents,
            currency: t.currency,
            platform_fee_cents: t.platform_fee_cents,
            net_payout_cents: t.net_payout_cents,
            transaction_date: t.transaction_date,
            status: t.status.as_str().to_owned(),
            kind: t.kind,
            payment_method: t.payment_method,
            notes: t.notes,
            invoice_id: t.invoice_id,
            created_at: t.created_at,
            updated_at: t.updated_at,
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
pub struct TransactionQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// `POST /marketplace/transactions`. Fee and net payout are computed: a
/// `platform_fee_cents` or `net_payout_cents` (or any other unknown field)
/// is a 422 naming it.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TransactionRequest {
    /// What was sold, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    #[validate(length(min = 1, max = 500))]
    pub service_description: String,
    /// Price in minor units of `currency` (cents of USD, yen of JPY),
    /// 1 – 10 000 000 000 000.
    #[schema(minimum = 1, maximum = 10_000_000_000_000_i64)]
    #[validate(range(min = 1, max = 10_000_000_000_000_i64))]
    pub amount_cents: i64,
    /// The day of the sale, `YYYY-MM-DD`, in the years 1900–9999.
    #[schema(value_type = String, format = Date)]
    pub transaction_date: String,
    /// ISO 4217 code of a currency with minor units, either case (stored
    /// upper-case), default `USD`; `XYZ`, `XXX`, `XTS`, `XAU` and other codes
    /// without minor units are refused. Amounts (`*_cents`) are in its minor unit.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    #[validate(custom(function = "super::billing::formats::currency"))]
    pub currency: Option<String>,
    /// A party of the caller's tenant (another tenant's is a 404).
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub client_party_id: Option<i64>,
    /// The client's marketplace user (told of each change).
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub client_user_id: Option<i64>,
    /// A listing of the tenant's provider (another provider's is a 404).
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub service_listing_id: Option<i64>,
    /// `cash`, `check`, `card`, `bank_transfer` or `other`; the method of the
    /// payment recorded on completion (`other` when absent).
    #[schema(value_type = Option<super::enums::PaymentMethod>)]
    #[validate(custom(function = "super::enums::PaymentMethod::check"))]
    pub payment_method: Option<String>,
    /// Up to 2000 characters; blank means none.
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
}

impl From<TransactionRequest> for SaleInput {
    fn from(r: TransactionRequest) -> Self {
        Self {
            service_description: Some(r.service_description),
            amount_cents: Some(r.amount_cents),
            transaction_date: Some(r.transaction_date),
            currency: r.currency,
            client_party_id: r.client_party_id,
            client_user_id: r.client_user_id,
            service_listing_id: r.service_listing_id,
            payment_method: r.payment_method,
            notes: r.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_rules_are_the_checked_ones() {
        use super::super::billing::formats::CURRENCY;
        use crate::http::rules::testing::property;
        assert_eq!(
            property::<TransactionRequest>("currency")["pattern"],
            CURRENCY
        );
        assert_eq!(
            property::<TransactionRequest>("amount_cents")["maximum"],
            marketplace::sale::MAX_AMOUNT_CENTS
        );
    }
}
