//! Invoices, their lines and payments; state changes guarded by `version`.

use async_trait::async_trait;
use billing::ports::{InvoiceDraft, InvoiceFilter, InvoiceRepository, NewPayment};
use billing::{Invoice, InvoiceStatus, Payment};
use kernel::{StoreError, TenantId, Timestamp};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, NotSet, QueryFilter,
};

use super::invoice_rows::{
    commit, insert_lines, insert_payment, load, load_where, next_number, write_refund, write_state,
};
use super::{BillingDb, convert, newest_first};
use crate::entities::{invoice_lines, invoices, payments};
use crate::error::store_err;

/// [`InvoiceRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlInvoiceRepository {
    db: BillingDb,
}

impl SqlInvoiceRepository {
    /// A repository on this billing storage.
    pub fn new(db: BillingDb) -> Self {
        Self { db }
    }
}

#[async_trait]
impl InvoiceRepository for SqlInvoiceRepository {
    async fn create(
        &self,
        tenant: TenantId,
        d: InvoiceDraft,
        at: Timestamp,
    ) -> Result<Invoice, StoreError> {
        let now = at;
        let txn = self.db.scoped_write(tenant).await?;
        let seq = next_number(&txn, tenant).await?;
        let row = invoices::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant.0),
            number: Set(billing::invoice::invoice_number(seq)),
            client_party_id: Set(d.client_party_id),
            status: Set(InvoiceStatus::Draft.as_str().to_owned()),
            currency: Set(d.currency.as_str().to_owned()),
            amount_cents: Set(d.amount_cents),
            deposit_cents: Set(d.deposit_cents),
            balance_cents: Set(d.amount_cents),
            due_date: Set(d.due_date),
            issued_at: Set(None),
            notes: Set(d.notes),
            deleted_at: Set(None),
            marketplace_transaction_id: Set(None),
            is_marketplace_invoice: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        insert_lines(&txn, row.id, &d.lines).await?;
        let invoice = load(&txn, tenant, row.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        commit(txn, invoice).await
    }

    async fn get(&self, tenant: TenantId, id: i64) -> Result<Option<Invoice>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let invoice = load(&txn, tenant, id).await?;
        commit(txn, invoice).await
    }

    async fn get_for_party(
        &self,
        tenant: TenantId,
        party: i64,
        statuses: Vec<InvoiceStatus>,
        id: i64,
    ) -> Result<Option<Invoice>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let extra = Condition::all()
            .add(invoices::Column::ClientPartyId.eq(party))
            .add(invoices::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        let invoice = load_where(&txn, tenant, id, extra).await?;
        commit(txn, invoice).await
    }

    async fn list(
        &self,
        tenant: TenantId,
        f: InvoiceFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let mut q = invoices::Entity::find()
            .filter(invoices::Column::TenantId.eq(tenant.0))
            .filter(invoices::Column::DeletedAt.is_null());
        if !f.statuses.is_empty() {
            q = q.filter(invoices::Column::Status.is_in(f.statuses.iter().map(|s| s.as_str())));
        }
        if let Some(party) = f.client_party_id {
            q = q.filter(invoices::Column::ClientPartyId.eq(party));
        }
        if let Some(flag) = f.is_marketplace {
            q = q.filter(invoices::Column::IsMarketplaceInvoice.eq(flag));
        }
        if let Some(date) = f.due_before {
            q = q.filter(invoices::Column::DueDate.lte(date));
        }
        if let Some(date) = f.due_after {
            q = q.filter(invoices::Column::DueDate.gte(date));
        }
        let rows = newest_first(q, invoices::Column::Id, before, limit)
            .all(&txn)
            .await
            .map_err(store_err)?;
        let list = rows
            .into_iter()
            .map(|r| convert::invoice(r, Vec::new()))
            .collect::<Result<Vec<_>, _>>()?;
        commit(txn, list).await
    }

    async fn save(
        &self,
        tenant: TenantId,
        invoice: Invoice,
        expected: i64,
    ) -> Result<Invoice, StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        write_state(&txn, tenant, &invoice, expected).await?;
        if invoice.status == InvoiceStatus::Draft {
            invoice_lines::Entity::delete_many()
                .filter(invoice_lines::Column::InvoiceId.eq(invoice.id))
                .exec(&txn)
                .await
                .map_err(store_err)?;
            insert_lines(&txn, invoice.id, &invoice.lines).await?;
        }
        let saved = load(&txn, tenant, invoice.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        commit(txn, saved).await
    }

    async fn soft_delete(
        &self,
        tenant: TenantId,
        id: i64,
        expected: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        let done = invoices::Entity::update_many()
            .col_expr(invoices::Column::DeletedAt, Expr::value(now))
            .col_expr(invoices::Column::Version, Expr::value(expected + 1))
            .filter(invoices::Column::Id.eq(id))
            .filter(invoices::Column::TenantId.eq(tenant.0))
            .filter(invoices::Column::Version.eq(expected))
            .filter(invoices::Column::DeletedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if done.rows_affected != 1 {
            return Err(StoreError::Stale);
        }
        commit(txn, ()).await
    }

    async fn record_payment(
        &self,
        tenant: TenantId,
        invoice: Invoice,
        expected: i64,
        p: NewPayment,
        at: Timestamp,
    ) -> Result<Payment, StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        // The guarded update comes first: it takes the write lock and loses cleanly to a concurrent payment.
        write_state(&txn, tenant, &invoice, expected).await?;
        let payment = insert_payment(&txn, tenant, &invoice, p, at).await?;
        commit(txn, payment).await
    }

    async fn refund_payment(
        &self,
        tenant: TenantId,
        invoice: Invoice,
        expected: i64,
        payment: Payment,
        refunded_before: i64,
    ) -> Result<Payment, StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        write_state(&txn, tenant, &invoice, expected).await?;
        write_refund(&txn, tenant, invoice.id, &payment, refunded_before).await?;
        let row = payments::Entity::find_by_id(payment.id)
            .one(&txn)
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        commit(txn, convert::payment(row)?).await
    }

    async fn payment(&self, tenant: TenantId, id: i64) -> Result<Option<Payment>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let row = payments::Entity::find_by_id(id)
            .filter(payments::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await
            .map_err(store_err)?;
        commit(txn, row.map(convert::payment).transpose()?).await
    }

    async fn payment_by_key(
        &self,
        tenant: TenantId,
        key: &str,
    ) -> Result<Option<Payment>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let row = payments::Entity::find()
            .filter(payments::Column::TenantId.eq(tenant.0))
            .filter(payments::Column::IdempotencyKey.eq(key))
            .one(&txn)
            .await
            .map_err(store_err)?;
        commit(txn, row.map(convert::payment).transpose()?).await
    }

    async fn payments(
        &self,
        tenant: TenantId,
        invoice_id: Option<i64>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        // Payments of soft-deleted invoices are gone with their invoice.
        let live_invoices = Query::select()
            .column(invoices::Column::Id)
            .from(invoices::Entity)
            .and_where(invoices::Column::TenantId.eq(tenant.0))
            .and_where(invoices::Column::DeletedAt.is_null())
            .to_owned();
        let mut q = payments::Entity::find()
            .filter(payments::Column::TenantId.eq(tenant.0))
            .filter(payments::Column::InvoiceId.in_subquery(live_invoices));
        if let Some(invoice) = invoice_id {
            q = q.filter(payments::Column::InvoiceId.eq(invoice));
        }
        let rows = newest_first(q, payments::Column::Id, before, limit)
            .all(&txn)
            .await
            .map_err(store_err)?;
        let list = rows
            .into_iter()
            .map(convert::payment)
            .collect::<Result<Vec<_>, _>>()?;
        commit(txn, list).await
    }
}
