//! Marketplace transactions outside the sale stores: the `completed` row a
//! paid job records (inside the job's unit of work), and the provider's
//! tenant that its books live in. The invoice of either comes from billing's
//! rules through `billing::books::BooksStore`.

use jobs::Sale;
use kernel::{StoreError, TenantId};
use sea_orm::ConnectionTrait;

use crate::error::store_err;
use crate::sql::stmt;

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
