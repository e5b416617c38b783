//! The books store of a unit of work: the one tenant's invoices and
//! payments, under its row-level security.

use std::sync::Arc;

use async_trait::async_trait;
use billing::books::BooksStore;
use billing::ports::NewPayment;
use billing::{Invoice, Payment};
use kernel::{StoreError, TenantId, Timestamp};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Tx;
use crate::billing::invoice_rows;
use crate::entities::{invoices, payments};
use crate::error::store_err;

/// The books of the tenant a unit of work entered.
#[derive(Debug)]
pub struct SqlBooksStore {
    pub(super) tx: Arc<Tx>,
    pub(super) tenant: TenantId,
}

#[async_trait]
impl BooksStore for SqlBooksStore {
    async fn insert_invoice(&self, invoice: Invoice, sale: i64) -> Result<Invoice, StoreError> {
        let txn = self.tx.books(self.tenant).await?;
        invoice_rows::insert_invoice(txn, self.tenant, &invoice, Some(sale)).await
    }

    async fn invoice_of_sale(&self, sale: i64) -> Result<Option<Invoice>, StoreError> {
        let txn = self.tx.books(self.tenant).await?;
        let id = invoices::Entity::find()
            .filter(invoices::Column::TenantId.eq(self.tenant.0))
            .filter(invoices::Column::MarketplaceTransactionId.eq(sale))
            .filter(invoices::Column::DeletedAt.is_null())
            .order_by_asc(invoices::Column::Id)
            .one(txn)
            .await
            .map_err(store_err)?
            .map(|row| row.id);
        match id {
            Some(id) => invoice_rows::load(txn, self.tenant, id).await,
            None => Ok(None),
        }
    }

    async fn payments(&self, invoice: i64) -> Result<Vec<Payment>, StoreError> {
        let txn = self.tx.books(self.tenant).await?;
        payments::Entity::find()
            .filter(payments::Column::TenantId.eq(self.tenant.0))
            .filter(payments::Column::InvoiceId.eq(invoice))
            .order_by_asc(payments::Column::Id)
            .all(txn)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(crate::billing::payment_of)
            .collect()
    }

    async fn save_invoice(&self, invoice: &Invoice, expected: i64) -> Result<(), StoreError> {
        let txn = self.tx.books(self.tenant).await?;
        invoice_rows::write_state(txn, self.tenant, invoice, expected).await
    }

    async fn insert_payment(
        &self,
        invoice: &Invoice,
        payment: NewPayment,
        at: Timestamp,
    ) -> Result<Payment, StoreError> {
        let txn = self.tx.books(self.tenant).await?;
        invoice_rows::insert_payment(txn, self.tenant, invoice, payment, at).await
    }

    async fn save_refund(&self, payment: &Payment, refunded_before: i64) -> Result<(), StoreError> {
        let txn = self.tx.books(self.tenant).await?;
        invoice_rows::write_refund(
            txn,
            self.tenant,
            payment.invoice_id,
            payment,
            refunded_before,
        )
        .await
    }
}
