//! Wire types of invoices, payments and the client portal.

use billing::{Invoice, InvoiceLine, Payment};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::nullable;

pub use crate::http::body::EmptyBody;

/// `POST /billing/payments/{id}/refund`: absent or `{}` refunds all that remains.
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// How much to give back, > 0 and ≤ what remains refundable (default: all of it).
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub amount_cents: Option<i64>,
    /// Why (at most 500 characters, no control or invisible characters; blank
    /// means none); kept on the payment.
    #[schema(max_length = 500)]
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

/// An invoice line as sent (`Serialize`: `validator` puts a refused list in its error).
#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    /// What is sold (1 to 500 characters, no control or invisible characters).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub description: String,
    /// How many (1–1,000,000).
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// Price of one, in minor units of the invoice's `currency`.
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub unit_price_cents: i64,
}

/// `POST /billing/invoices` (`lines` required) and `PATCH` of a draft (any field).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InvoiceRequest {
    /// Billed party of this tenant.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub client_party_id: Option<Option<i64>>,
    /// ISO 4217 code of a currency with minor units, either case (stored
    /// upper-case), default `USD`; `XYZ`, `XXX`, `XTS`, `XAU` and other codes
    /// without minor units are refused. Amounts (`*_cents`) are in its minor unit.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    #[validate(custom(function = "super::formats::currency"))]
    pub currency: Option<String>,
    /// Due date (YYYY-MM-DD).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    /// Notes, up to 5000 characters; blank or `null` means none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    #[validate(length(max = 5000))]
    pub notes: Option<Option<String>>,
    /// Deposit asked, 0 ≤ deposit ≤ amount.
    #[schema(minimum = 0)]
    #[validate(range(min = 0))]
    pub deposit_cents: Option<i64>,
    /// Lines (1 to 100); replace all on edit.
    #[validate(
        nested,
        length(min = 1, max = 100, message = "must hold 1 to 100 lines")
    )]
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Option<Vec<LineRequest>>,
}

/// An invoice line.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineDto {
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Price of one.
    pub unit_price_cents: i64,
    /// quantity × unit price.
    pub amount_cents: i64,
}

impl From<InvoiceLine> for LineDto {
    fn from(l: InvoiceLine) -> Self {
        Self {
            description: l.description,
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            amount_cents: l.amount_cents,
        }
    }
}

/// An invoice. `version` is also its `ETag`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDto {
    pub id: i64,
    /// Number, unique in the tenant.
    pub number: String,
    /// Billed party.
    pub client_party_id: Option<i64>,
    /// `draft`, `issued`, `partially_paid`, `paid` or `void`.
    #[schema(value_type = crate::routes::enums::InvoiceStatus)]
    pub status: String,
    pub currency: String,
    pub amount_cents: i64,
    pub deposit_cents: i64,
    /// Still owed.
    pub balance_cents: i64,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    pub issued_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    /// Created by a marketplace job payment.
    pub is_marketplace_invoice: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Lines (empty in lists).
    pub lines: Vec<LineDto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Invoice> for InvoiceDto {
    fn from(i: Invoice) -> Self {
        Self {
            id: i.id,
            number: i.number,
            client_party_id: i.client_party_id,
            status: i.status.as_str().to_owned(),
            currency: i.currency.as_str().to_owned(),
            amount_cents: i.amount_cents,
            deposit_cents: i.deposit_cents,
            balance_cents: i.balance_cents,
            due_date: i.due_date,
            issued_at: i.issued_at,
            notes: i.notes,
            is_marketplace_invoice: i.is_marketplace_invoice,
            version: i.version,
            lines: i.lines.into_iter().map(Into::into).collect(),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// Filters of `GET /billing/invoices`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// Only this status.
    #[param(value_type = Option<crate::routes::enums::InvoiceStatus>)]
    pub status: Option<String>,
    /// Billed party.
    pub client_party_id: Option<i64>,
    /// Marketplace invoices only (`true`) or none of them (`false`).
    pub is_marketplace: Option<bool>,
    /// Due on or before (YYYY-MM-DD).
    pub due_before: Option<NaiveDate>,
    /// Due on or after (YYYY-MM-DD).
    pub due_after: Option<NaiveDate>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `GET /billing/payments` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    /// Payments of this invoice only.
    pub invoice_id: Option<i64>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `POST /billing/invoices/{id}/payments`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// Amount, > 0 and ≤ the balance.
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub amount_cents: i64,
    /// `cash`, `check`, `card`, `bank_transfer` or `other`.
    #[schema(value_type = crate::routes::enums::PaymentMethod)]
    pub method: String,
    /// Cheque number, transfer id… (up to 255 characters; blank means none).
    #[schema(max_length = 255)]
    #[validate(length(max = 255))]
    pub reference: Option<String>,
    /// When the money arrived (default now).
    pub received_at: Option<DateTime<Utc>>,
}

/// The invoice after a payment or refund: its status follows the balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceBalanceDto {
    pub id: i64,
    /// Status now.
    #[schema(value_type = crate::routes::enums::InvoiceStatus)]
    pub status: String,
    /// Balance now.
    pub balance_cents: i64,
    /// Version now.
    pub version: i64,
}

/// A payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDto {
    pub id: i64,
    pub invoice_id: i64,
    pub amount_cents: i64,
    /// How much of it was refunded (0 ≤ refunded ≤ amount).
    pub refunded_cents: i64,
    /// The reason given with the latest refund.
    pub refund_reason: Option<String>,
    pub currency: String,
    /// `succeeded`, or `refunded` once refunded in full.
    #[schema(value_type = crate::routes::enums::PaymentStatus)]
    pub status: String,
    #[schema(value_type = crate::routes::enums::PaymentMethod)]
    pub method: String,
    pub reference: Option<String>,
    pub received_at: DateTime<Utc>,
    /// Idempotency key it was recorded under.
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The invoice after this payment (on create and refund answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceBalanceDto>,
}

impl PaymentDto {
    /// A payment, with the invoice state when known.
    pub fn new(p: Payment, invoice: Option<&Invoice>) -> Self {
        Self {
            id: p.id,
            invoice_id: p.invoice_id,
            amount_cents: p.amount_cents,
            refunded_cents: p.refunded_cents,
            refund_reason: p.refund_reason,
            currency: p.currency.as_str().to_owned(),
            status: p.status.as_str().to_owned(),
            method: p.method.as_str().to_owned(),
            reference: p.reference,
            received_at: p.received_at,
            idempotency_key: p.idempotency_key,
            created_at: p.created_at,
            invoice: invoice.map(|i| InvoiceBalanceDto {
                id: i.id,
                status: i.status.as_str().to_owned(),
                balance_cents: i.balance_cents,
                version: i.version,
            }),
        }
    }
}

/// `POST /portal/login`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PortalLoginRequest {
    /// The business's slug (3–50 lowercase letters and digits in words joined by
    /// single dashes).
    #[schema(min_length = 3, max_length = 50, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    #[validate(custom(function = "crate::http::rules::slug"))]
    pub tenant_slug: String,
    /// The contact's e-mail (up to 254 characters).
    #[schema(min_length = 1, max_length = 254)]
    #[validate(length(min = 1, max = 254))]
    pub email: String,
    /// The portal password (portal passwords are 10 to 128 characters).
    #[schema(max_length = 128)]
    #[validate(length(max = 128))]
    pub password: String,
}

/// A portal token (audience `stm-portal`; refused by staff routes).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalTokenDto {
    /// Bearer token for `/portal/*`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: i64,
}

#[cfg(test)]
mod tests {
    use super::super::formats::CURRENCY;
    use super::*;
    use crate::http::rules::testing::property;

    #[test]
    fn the_documented_patterns_are_the_checked_ones() {
        assert_eq!(property::<InvoiceRequest>("currency")["pattern"], CURRENCY);
        assert_eq!(
            property::<PortalLoginRequest>("tenant_slug")["pattern"],
            crate::http::rules::SLUG
        );
    }
}
