//! A tenant's books as another domain's use case writes them inside its unit
//! of work: the marketplace invoice a sale creates and moves, by the same
//! [`Invoice`] rules every invoice follows.

use async_trait::async_trait;
use chrono::NaiveDate;
use kernel::{Currency, StoreError, Timestamp};

use crate::error::BillingError;
use crate::model::{Invoice, InvoiceLine, InvoiceStatus, Payment};
use crate::ports::NewPayment;

/// What a marketplace sale bills: one line for its whole amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceBill<'a> {
    /// The billed party of the tenant, if the sale names one.
    pub client_party_id: Option<i64>,
    /// The sale's currency code.
    pub currency: &'a str,
    /// The sale's amount.
    pub amount_cents: i64,
    /// The one line's text.
    pub description: &'a str,
    /// Due on the sale's date.
    pub due_date: NaiveDate,
    /// Names the job or transaction it came from.
    pub notes: String,
}

impl Invoice {
    /// A marketplace sale's invoice, issued at `now` for the whole amount:
    /// a draft of one line that [`Invoice::issue`] moves like any other, so a
    /// sale of nothing is refused here as it would be in the back office.
    pub fn marketplace(bill: MarketplaceBill<'_>, now: Timestamp) -> Result<Invoice, BillingError> {
        let currency = Currency::parse(bill.currency)
            .map_err(|_| BillingError::field("currency", "not an ISO 4217 currency code"))?;
        let mut invoice = Invoice {
            id: 0,
            number: String::new(),
            client_party_id: bill.client_party_id,
            status: InvoiceStatus::Draft,
            currency,
            amount_cents: bill.amount_cents,
            deposit_cents: 0,
            balance_cents: bill.amount_cents,
            due_date: Some(bill.due_date),
            issued_at: None,
            notes: Some(bill.notes),
            is_marketplace_invoice: true,
            version: 1,
            lines: vec![InvoiceLine {
                description: bill.description.to_owned(),
                quantity: 1,
                unit_price_cents: bill.amount_cents,
                amount_cents: bill.amount_cents,
            }],
            created_at: now,
            updated_at: now,
        };
        invoice.issue(now)?;
        Ok(invoice)
    }
}

/// The books of the one tenant a unit of work entered. Every statement is
/// scoped to that tenant (and, on PostgreSQL, runs under its row-level
/// security); the store writes what the rules decided and decides nothing.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BooksStore: Send + Sync {
    /// Inserts `invoice` as the rules left it (status, balance, issue time,
    /// lines), numbered from the tenant's counter, linked to the marketplace
    /// transaction `sale`. Returns it as stored.
    async fn insert_invoice(&self, invoice: Invoice, sale: i64) -> Result<Invoice, StoreError>;
    /// The live marketplace invoice of the transaction `sale`.
    async fn invoice_of_sale(&self, sale: i64) -> Result<Option<Invoice>, StoreError>;
    /// The invoice's payments, oldest first.
    async fn payments(&self, invoice: i64) -> Result<Vec<Payment>, StoreError>;
    /// Writes the invoice's state if it is still at `expected`
    /// ([`StoreError::Stale`] otherwise).
    async fn save_invoice(&self, invoice: &Invoice, expected: i64) -> Result<(), StoreError>;
    /// Inserts a succeeded payment on `invoice`.
    async fn insert_payment(
        &self,
        invoice: &Invoice,
        payment: NewPayment,
        at: Timestamp,
    ) -> Result<Payment, StoreError>;
    /// Writes a payment's refund if it still has `refunded_before` refunded
    /// ([`StoreError::Stale`] otherwise).
    async fn save_refund(&self, payment: &Payment, refunded_before: i64) -> Result<(), StoreError>;
}
