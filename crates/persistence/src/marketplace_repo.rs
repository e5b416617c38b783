//! Marketplace transactions: the sale a paid job records in the provider's
//! books (written inside the job's transaction), and the marketplace invoice
//! and payment inserts it shares with the sales staff record
//! ([`crate::sale_repo`], which also serves every read).

use jobs::Sale;
use kernel::{StoreError, TenantId};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::billing::{BillingDb, next_number};
use crate::error::store_err;
use crate::sql::{exec, stmt};

/// Inserts a row and returns its id.
pub(crate) async fn insert_returning_id(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<i64, StoreError> {
    let row = db
        .query_one_raw(stmt(db, &format!("{sql} RETURNING id"), values))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("insert returned no id"))?;
    row.try_get_by_index(0).map_err(store_err)
}

/// Inserts the `completed` marketplace transaction a paid job records;
/// returns its id.
pub(crate) async fn insert_sale(db: &impl ConnectionTrait, sale: &Sale) -> Result<i64, StoreError> {
    insert_returning_id(
        db,
        "INSERT INTO marketplace_transactions (provider_tenant_id, provider_user_id, client_user_id, \
         job_id, service_description, amount_cents, currency, platform_fee_cents, net_payout_cents, \
         transaction_date, status, payment_method, notes, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'completed', ?, ?, ?, ?)",
        vec![
            sale.tenant_id.0.into(),
            sale.provider_user_id.0.into(),
            sale.client_user_id.0.into(),
            sale.job_id.into(),
            sale.service_description.clone().into(),
            sale.amount_cents.into(),
            sale.currency.clone().into(),
            sale.split.fee_cents.into(),
            sale.split.net_cents.into(),
            sale.transaction_date.into(),
            sale.paid_with.method.as_str().into(),
            sale.paid_with.reference.clone().into(),
            sale.at.into(),
            sale.at.into(),
        ],
    )
    .await
}

/// The one marketplace invoice of a transaction, as it is created.
pub(crate) struct MarketplaceInvoice<'a> {
    pub tenant: TenantId,
    pub transaction_id: i64,
    pub client_party_id: Option<i64>,
    pub currency: &'a str,
    pub amount_cents: i64,
    /// Its one line.
    pub description: &'a str,
    pub due_date: chrono::NaiveDate,
    pub notes: Option<String>,
    /// `paid` with balance 0 (its payment follows), else `issued` at the full amount.
    pub paid: bool,
    pub at: kernel::Timestamp,
}

/// Turns the open transaction into a billing write of the invoice's tenant
/// (row-level security applies from here on) and inserts the invoice,
/// numbered from the tenant's counter, with its one line. Returns its id.
pub(crate) async fn insert_invoice(
    txn: &DatabaseTransaction,
    billing: &BillingDb,
    inv: &MarketplaceInvoice<'_>,
) -> Result<i64, StoreError> {
    billing.enter_tenant(txn, inv.tenant).await?;
    let number = billing::invoice::invoice_number(next_number(txn, inv.tenant).await?);
    let (status, balance) = if inv.paid {
        ("paid", 0)
    } else {
        ("issued", inv.amount_cents)
    };
    let invoice_id = insert_returning_id(
        txn,
        "INSERT INTO invoices (tenant_id, number, client_party_id, status, currency, amount_cents, \
         deposit_cents, balance_cents, due_date, issued_at, notes, marketplace_transaction_id, \
         is_marketplace_invoice, version, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        vec![
            inv.tenant.0.into(),
            number.into(),
            inv.client_party_id.into(),
            status.into(),
            inv.currency.to_owned().into(),
            inv.amount_cents.into(),
            balance.into(),
            inv.due_date.into(),
            inv.at.into(),
            inv.notes.clone().into(),
            inv.transaction_id.into(),
            true.into(),
            inv.at.into(),
            inv.at.into(),
        ],
    )
    .await?;
    exec(
        txn,
        "INSERT INTO invoice_lines (invoice_id, description, quantity, unit_price_cents, amount_cents) \
         VALUES (?, ?, 1, ?, ?)",
        vec![
            invoice_id.into(),
            inv.description.to_owned().into(),
            inv.amount_cents.into(),
            inv.amount_cents.into(),
        ],
    )
    .await?;
    Ok(invoice_id)
}

/// One succeeded payment of `amount` on a marketplace invoice (inside the
/// tenant's billing write).
pub(crate) async fn insert_payment(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    invoice_id: i64,
    (amount_cents, currency): (i64, &str),
    (method, reference): (&str, Option<String>),
    at: kernel::Timestamp,
) -> Result<(), StoreError> {
    exec(
        txn,
        "INSERT INTO payments (tenant_id, invoice_id, amount_cents, refunded_cents, currency, status, \
         method, reference, received_at, created_at) VALUES (?, ?, ?, 0, ?, 'succeeded', ?, ?, ?, ?)",
        vec![
            tenant.0.into(),
            invoice_id.into(),
            amount_cents.into(),
            currency.to_owned().into(),
            method.to_owned().into(),
            reference.into(),
            at.into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The provider's back-office tenant, if it has one.
pub(crate) async fn provider_tenant(
    db: &impl ConnectionTrait,
    provider: kernel::ProviderId,
) -> Result<Option<TenantId>, StoreError> {
    let row = db
        .query_one_raw(stmt(
            db,
            "SELECT tenant_id FROM service_providers WHERE id = ?",
            vec![provider.0.into()],
        ))
        .await
        .map_err(store_err)?;
    Ok(row
        .map(|r| r.try_get::<Option<i64>>("", "tenant_id"))
        .transpose()
        .map_err(store_err)?
        .flatten()
        .map(TenantId))
}
