//! The unit of work as the sale use cases see it: the sale rows, then the
//! tenant's books, where the sale's marketplace invoice is created and moved
//! by billing's invoice rules — never by SQL of its own.

use async_trait::async_trait;
use billing::books::BooksStore;
use billing::ports::NewPayment;
use billing::{Invoice, InvoiceStatus};
use effects::Effects;
use kernel::{StoreError, TenantId, Timestamp};

use crate::sale::{InvoiceFollow, SaleError};
use crate::sale_ports::{NewSale, SaleChange};

/// Opens units of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SaleUnits: Send + Sync {
    /// Begins one transaction.
    async fn begin(&self) -> Result<Box<dyn SaleUnitOfWork>, StoreError>;
}

/// One open transaction; dropping it without [`commit`](Self::commit) rolls
/// everything back. The sale rows come first, the tenant's books last.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SaleUnitOfWork: Send {
    /// The sale rows and the unit's effects.
    fn sales(&mut self) -> Box<dyn SaleStore>;
    /// The books of `tenant`, after every sale write.
    fn books(&mut self, tenant: TenantId) -> Box<dyn BooksStore>;
    /// Makes every write of the unit visible at once.
    async fn commit(&mut self) -> Result<(), StoreError>;
}

/// The tenant's sales that named a client user within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSales {
    /// How many.
    pub count: i64,
    /// When the oldest of them was recorded.
    pub oldest: Option<Timestamp>,
}

/// The sale rows of one unit of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SaleStore: Send + Sync {
    /// Takes the tenant's write lock (held to the end of the unit) and counts
    /// its sales naming a client user recorded after `since`, not counting
    /// those a paid job recorded.
    async fn client_sales_since(
        &self,
        tenant: TenantId,
        since: Timestamp,
    ) -> Result<ClientSales, StoreError>;
    /// Inserts the `pending` sale; returns its id.
    async fn insert(&self, new: &NewSale) -> Result<i64, StoreError>;
    /// Moves the sale from `change.from` to `change.to`
    /// ([`StoreError::Stale`] when it is no longer `from`).
    async fn move_status(&self, change: &SaleChange) -> Result<(), StoreError>;
    /// Writes the unit's notifications and real-time events.
    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError>;
}

/// What billing's rules refused on the sale's invoice: it was moved in the
/// back office meanwhile (paid in part, voided), so the edge no longer fits.
const MOVED: SaleError =
    SaleError::Conflict("the transaction's invoice was changed in billing; settle it there");

fn moved(_: billing::BillingError) -> SaleError {
    MOVED
}

/// Follows `change` on the sale's invoice in the tenant's books, by
/// billing's rules: paid in full with one payment, voided, or every payment
/// refunded in full (the balance is the whole amount again, so the invoice
/// is `issued` again). A missing invoice or one the rules refuse is a 409;
/// an invoice changed since it was read is [`StoreError::Stale`].
pub async fn follow_invoice(books: &dyn BooksStore, change: &SaleChange) -> Result<(), SaleError> {
    let mut invoice: Invoice = books.invoice_of_sale(change.id).await?.ok_or(MOVED)?;
    let expected = invoice.version;
    match &change.invoice {
        InvoiceFollow::PayInFull { method } => {
            // Only an invoice nobody has paid into yet is paid in full here.
            if invoice.status != InvoiceStatus::Issued {
                return Err(MOVED);
            }
            let amount = invoice.balance_cents;
            invoice.apply_payment(amount).map_err(moved)?;
            invoice.updated_at = change.at;
            books.save_invoice(&invoice, expected).await?;
            let payment = NewPayment {
                amount_cents: amount,
                method: method.billing(),
                reference: None,
                received_at: change.at,
                idempotency_key: None,
                request_hash: None,
            };
            books.insert_payment(&invoice, payment, change.at).await?;
        }
        InvoiceFollow::Void => {
            if invoice.status != InvoiceStatus::Issued {
                return Err(MOVED);
            }
            invoice.void().map_err(moved)?;
            invoice.updated_at = change.at;
            books.save_invoice(&invoice, expected).await?;
        }
        InvoiceFollow::RefundInFull => {
            for mut payment in books.payments(invoice.id).await? {
                let before = payment.refunded_cents;
                if payment.refundable_cents() == 0 {
                    continue;
                }
                let refunded = payment.refund(None, None).map_err(moved)?;
                invoice.apply_refund(refunded).map_err(moved)?;
                books.save_refund(&payment, before).await?;
            }
            invoice.updated_at = change.at;
            books.save_invoice(&invoice, expected).await?;
        }
    }
    Ok(())
}

/// The invoice a new sale issues for its whole amount, by billing's rules.
pub fn issued_invoice(new: &NewSale, sale_id: i64) -> Result<Invoice, SaleError> {
    let f = &new.fields;
    Invoice::marketplace(
        billing::books::MarketplaceBill {
            client_party_id: f.client_party_id,
            currency: &f.currency,
            amount_cents: f.amount_cents,
            description: &f.service_description,
            due_date: f.transaction_date,
            notes: format!("Marketplace transaction #{sale_id}"),
        },
        new.at,
    )
    .map_err(|_| SaleError::field("amount_cents", "cannot be invoiced"))
}
