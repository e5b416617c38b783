//! Row-level helpers of the invoice repository: lines, loading, the guarded
//! state write and the per-tenant invoice counter.

use billing::ports::NewPayment;
use billing::{Invoice, InvoiceLine, Payment, PaymentStatus};
use kernel::{StoreError, TenantId, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, EntityTrait,
    NotSet, QueryFilter, QueryOrder,
};

use super::convert;
use crate::entities::{invoice_counters, invoice_lines, invoices, payments};
use crate::error::store_err;

pub(crate) async fn insert_lines(
    txn: &DatabaseTransaction,
    invoice_id: i64,
    lines: &[InvoiceLine],
) -> Result<(), StoreError> {
    if lines.is_empty() {
        return Ok(());
    }
    let rows = lines.iter().map(|l| invoice_lines::ActiveModel {
        id: NotSet,
        invoice_id: Set(invoice_id),
        description: Set(l.description.clone()),
        quantity: Set(l.quantity),
        unit_price_cents: Set(l.unit_price_cents),
        amount_cents: Set(l.amount_cents),
    });
    invoice_lines::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await
        .map_err(store_err)?;
    Ok(())
}

/// Takes the tenant's next invoice number: one upsert that creates the counter
/// at 1 or increments it, inside the caller's write transaction. On PostgreSQL
/// the row lock makes concurrent creates wait for each other's commit; on SQLite
/// the write transaction already holds the database lock.
pub(crate) async fn next_number(
    txn: &DatabaseTransaction,
    tenant: TenantId,
) -> Result<i64, StoreError> {
    let first = invoice_counters::ActiveModel {
        tenant_id: Set(tenant.0),
        last_number: Set(1),
    };
    let next = Expr::col((
        invoice_counters::Entity,
        invoice_counters::Column::LastNumber,
    ))
    .add(1);
    let counter = invoice_counters::Entity::insert(first)
        .on_conflict(
            OnConflict::column(invoice_counters::Column::TenantId)
                .value(invoice_counters::Column::LastNumber, next)
                .to_owned(),
        )
        .exec_with_returning(txn)
        .await
        .map_err(store_err)?;
    Ok(counter.last_number)
}

pub(crate) async fn load(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    id: i64,
) -> Result<Option<Invoice>, StoreError> {
    load_where(txn, tenant, id, Condition::all()).await
}

/// A live invoice of the tenant that also meets `extra`, with its lines.
pub(crate) async fn load_where(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    id: i64,
    extra: Condition,
) -> Result<Option<Invoice>, StoreError> {
    let row = invoices::Entity::find_by_id(id)
        .filter(invoices::Column::TenantId.eq(tenant.0))
        .filter(invoices::Column::DeletedAt.is_null())
        .filter(extra)
        .one(txn)
        .await
        .map_err(store_err)?;
    let Some(row) = row else { return Ok(None) };
    let lines = invoice_lines::Entity::find()
        .filter(invoice_lines::Column::InvoiceId.eq(id))
        .order_by_asc(invoice_lines::Column::Id)
        .all(txn)
        .await
        .map_err(store_err)?;
    convert::invoice(row, lines).map(Some)
}

/// Writes balance, status and the other mutable fields if the version is still `expected`.
pub(crate) async fn write_state(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    inv: &Invoice,
    expected: i64,
) -> Result<(), StoreError> {
    let done = invoices::Entity::update_many()
        .col_expr(invoices::Column::Status, Expr::value(inv.status.as_str()))
        .col_expr(
            invoices::Column::BalanceCents,
            Expr::value(inv.balance_cents),
        )
        .col_expr(invoices::Column::AmountCents, Expr::value(inv.amount_cents))
        .col_expr(
            invoices::Column::DepositCents,
            Expr::value(inv.deposit_cents),
        )
        .col_expr(
            invoices::Column::Currency,
            Expr::value(inv.currency.as_str()),
        )
        .col_expr(
            invoices::Column::ClientPartyId,
            Expr::value(inv.client_party_id),
        )
        .col_expr(invoices::Column::DueDate, Expr::value(inv.due_date))
        .col_expr(invoices::Column::Notes, Expr::value(inv.notes.clone()))
        .col_expr(invoices::Column::IssuedAt, Expr::value(inv.issued_at))
        .col_expr(invoices::Column::Version, Expr::value(expected + 1))
        .col_expr(invoices::Column::UpdatedAt, Expr::value(inv.updated_at))
        .filter(invoices::Column::Id.eq(inv.id))
        .filter(invoices::Column::TenantId.eq(tenant.0))
        .filter(invoices::Column::Version.eq(expected))
        .filter(invoices::Column::DeletedAt.is_null())
        .exec(txn)
        .await
        .map_err(store_err)?;
    if done.rows_affected == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

pub(super) async fn commit<T>(txn: DatabaseTransaction, value: T) -> Result<T, StoreError> {
    txn.commit().await.map_err(store_err)?;
    Ok(value)
}

/// Inserts a succeeded payment on `invoice` (in its currency).
pub(crate) async fn insert_payment(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    invoice: &Invoice,
    p: NewPayment,
    at: Timestamp,
) -> Result<Payment, StoreError> {
    let row = payments::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant.0),
        invoice_id: Set(invoice.id),
        amount_cents: Set(p.amount_cents),
        refunded_cents: Set(0),
        refund_reason: Set(None),
        currency: Set(invoice.currency.as_str().to_owned()),
        status: Set(PaymentStatus::Succeeded.as_str().to_owned()),
        method: Set(p.method.as_str().to_owned()),
        reference: Set(p.reference),
        received_at: Set(p.received_at),
        idempotency_key: Set(p.idempotency_key),
        created_at: Set(at),
        request_hash: Set(p.request_hash),
    }
    .insert(txn)
    .await
    .map_err(store_err)?;
    convert::payment(row)
}

/// A payment's refund as the rule left it, compare-and-set on what the rule
/// saw: still succeeded, with `refunded_before` refunded.
pub(crate) async fn write_refund(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    invoice_id: i64,
    payment: &Payment,
    refunded_before: i64,
) -> Result<(), StoreError> {
    let done = payments::Entity::update_many()
        .col_expr(
            payments::Column::RefundedCents,
            Expr::value(payment.refunded_cents),
        )
        .col_expr(
            payments::Column::Status,
            Expr::value(payment.status.as_str()),
        )
        .col_expr(
            payments::Column::RefundReason,
            Expr::value(payment.refund_reason.clone()),
        )
        .filter(payments::Column::Id.eq(payment.id))
        .filter(payments::Column::TenantId.eq(tenant.0))
        .filter(payments::Column::InvoiceId.eq(invoice_id))
        .filter(payments::Column::Status.eq(PaymentStatus::Succeeded.as_str()))
        .filter(payments::Column::RefundedCents.eq(refunded_before))
        .exec(txn)
        .await
        .map_err(store_err)?;
    if done.rows_affected == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// Inserts an invoice as the rules left it, numbered from the tenant's
/// counter, with its lines; `sale` links a marketplace invoice to its
/// transaction. Returns it as stored.
pub(crate) async fn insert_invoice(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    inv: &Invoice,
    sale: Option<i64>,
) -> Result<Invoice, StoreError> {
    let seq = next_number(txn, tenant).await?;
    let row = invoices::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant.0),
        number: Set(billing::invoice::invoice_number(seq)),
        client_party_id: Set(inv.client_party_id),
        status: Set(inv.status.as_str().to_owned()),
        currency: Set(inv.currency.as_str().to_owned()),
        amount_cents: Set(inv.amount_cents),
        deposit_cents: Set(inv.deposit_cents),
        balance_cents: Set(inv.balance_cents),
        due_date: Set(inv.due_date),
        issued_at: Set(inv.issued_at),
        notes: Set(inv.notes.clone()),
        deleted_at: Set(None),
        marketplace_transaction_id: Set(sale),
        is_marketplace_invoice: Set(inv.is_marketplace_invoice),
        version: Set(inv.version),
        created_at: Set(inv.created_at),
        updated_at: Set(inv.updated_at),
    }
    .insert(txn)
    .await
    .map_err(store_err)?;
    insert_lines(txn, row.id, &inv.lines).await?;
    load(txn, tenant, row.id).await?.ok_or(StoreError::NotFound)
}
