//! Who a sale may name as its client, and the hourly allowance of sales
//! that do: the scoped query behind `SaleRepository::is_client_of` and the
//! count an insert makes under the tenant's write lock.

use kernel::{StoreError, TenantId, Timestamp};
use marketplace::sale_ports::NoticeAllowance;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend};

use crate::error::store_err;
use crate::sql::{exec, stmt};

/// The user is the customer of one of the seller's jobs, or the buyer of an
/// inquiry thread on one of its listings (the tenant's or the seller's own).
/// Binds: user, seller, tenant, seller.
pub(crate) const CLIENT_OF: &str = "SELECT u.id FROM users u WHERE u.id = ? AND (\
     EXISTS (SELECT 1 FROM jobs j JOIN service_providers p ON p.id = j.provider_id \
             WHERE j.customer_id = u.id AND p.user_id = ?) \
     OR EXISTS (SELECT 1 FROM message_threads th JOIN service_listings l ON l.id = th.listing_id \
                WHERE th.kind = 'listing' AND th.buyer_user_id = u.id \
                AND (l.tenant_id = ? OR l.provider_user_id = ?)))";

/// Counts the tenant's sales that named a client user since the window
/// began (a paid job's sale is not one: its `job_id` is set), after taking
/// the tenant's write lock: SQLite's `BEGIN IMMEDIATE` already holds it, on
/// PostgreSQL the tenant's row is locked. `Some(oldest)` when the allowance
/// is used up.
pub(crate) async fn allowance_used(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    allowance: NoticeAllowance,
) -> Result<Option<Timestamp>, StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        exec(
            txn,
            "SELECT id FROM tenants WHERE id = ? FOR UPDATE",
            vec![tenant.0.into()],
        )
        .await?;
    }
    let row = txn
        .query_one_raw(stmt(
            txn,
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM marketplace_transactions \
             WHERE provider_tenant_id = ? AND client_user_id IS NOT NULL AND job_id IS NULL \
             AND created_at > ?",
            vec![tenant.0.into(), allowance.since.into()],
        ))
        .await
        .map_err(store_err)?;
    let Some(row) = row else { return Ok(None) };
    let n: i64 = row.try_get("", "n").map_err(store_err)?;
    if n < i64::from(allowance.max) {
        return Ok(None);
    }
    let oldest: Option<Timestamp> = row.try_get("", "oldest").map_err(store_err)?;
    Ok(Some(oldest.unwrap_or(allowance.since)))
}

pub(crate) async fn rollback<T>(txn: DatabaseTransaction, value: T) -> Result<T, StoreError> {
    txn.rollback().await.map_err(store_err)?;
    Ok(value)
}
