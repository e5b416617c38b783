//! Billing storage. Every query on a tenant table runs in a transaction that
//! first declares its tenant (`app.tenant_id`, transaction-local) and, on
//! PostgreSQL, switches to the `stm_app` role, so row-level security is a
//! second wall behind the `tenant_id` in every `WHERE` clause.

mod convert;
mod directory;
mod invitations;
pub(crate) mod invoice_rows;
mod invoices;
mod tenants;

pub(crate) use tenants::insert_owned_tenant;

use std::sync::{Arc, OnceLock};

use kernel::{StoreError, TenantId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::error::store_err;

pub(crate) use convert::payment as payment_of;
pub use directory::{SqlContactRepository, SqlPartyRepository};
pub use invoices::SqlInvoiceRepository;
pub use tenants::SqlTenantRepository;

/// The connection pool plus what the billing repositories learn about it once.
#[derive(Debug, Clone)]
pub struct BillingDb {
    conn: DatabaseConnection,
    app_role: Arc<OnceLock<bool>>,
}

impl BillingDb {
    /// Billing storage on this pool.
    pub fn new(conn: DatabaseConnection) -> Self {
        Self {
            conn,
            app_role: Arc::new(OnceLock::new()),
        }
    }

    /// Whether this PostgreSQL login may switch to `stm_app`.
    async fn may_use_app_role(&self) -> Result<bool, StoreError> {
        self.may_use_app_role_on(&self.conn).await
    }

    /// The same, asked on `db` (an open transaction asks on itself rather
    /// than wait for a second connection of the pool).
    async fn may_use_app_role_on(&self, db: &impl ConnectionTrait) -> Result<bool, StoreError> {
        if let Some(known) = self.app_role.get() {
            return Ok(*known);
        }
        let sql = "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stm_app') \
                   THEN pg_has_role(current_user, 'stm_app', 'MEMBER') ELSE false END AS ok";
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .map_err(store_err)?;
        let ok = row
            .and_then(|r| r.try_get::<bool>("", "ok").ok())
            .unwrap_or(false);
        let _ = self.app_role.set(ok);
        Ok(ok)
    }

    /// A read-only-in-intent transaction scoped to `tenant`.
    pub(crate) async fn scoped(&self, tenant: TenantId) -> Result<DatabaseTransaction, StoreError> {
        self.begin_scoped(tenant, SqliteTransactionMode::Deferred)
            .await
    }

    /// A transaction scoped to `tenant` that will write. On SQLite it takes the
    /// write lock at `BEGIN` (waiting up to the busy timeout), so reading before
    /// writing cannot fail with "database is locked" when another write commits
    /// in between.
    pub(crate) async fn scoped_write(
        &self,
        tenant: TenantId,
    ) -> Result<DatabaseTransaction, StoreError> {
        self.begin_scoped(tenant, SqliteTransactionMode::Immediate)
            .await
    }

    async fn begin_scoped(
        &self,
        tenant: TenantId,
        mode: SqliteTransactionMode,
    ) -> Result<DatabaseTransaction, StoreError> {
        let backend = self.conn.get_database_backend();
        let use_role = backend == DbBackend::Postgres && self.may_use_app_role().await?;
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(mode),
            ..TransactionOptions::default()
        };
        let txn = self
            .conn
            .begin_with_options(options)
            .await
            .map_err(store_err)?;
        declare_tenant(&txn, tenant, use_role).await?;
        Ok(txn)
    }

    /// Turns the rest of an open transaction into a billing write of `tenant`
    /// (on PostgreSQL: `app.tenant_id`, and the `stm_app` role when this login
    /// may take it). For a change that writes its own tables first and then
    /// the tenant's books in the same transaction (a job marked paid).
    pub(crate) async fn enter_tenant(
        &self,
        txn: &DatabaseTransaction,
        tenant: TenantId,
    ) -> Result<(), StoreError> {
        let use_role = txn.get_database_backend() == DbBackend::Postgres
            && self.may_use_app_role_on(txn).await?;
        declare_tenant(txn, tenant, use_role).await
    }

    /// A transaction on tables without tenant rows (users, tenants, invitations)
    /// that will write: on SQLite it takes the write lock at `BEGIN`, so writers
    /// queue instead of failing after reading.
    pub(crate) async fn plain_write(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.conn
            .begin_with_options(options)
            .await
            .map_err(store_err)
    }

    /// The plain pool, for tables without tenant rows (tenants, users).
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

async fn declare_tenant(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    use_role: bool,
) -> Result<(), StoreError> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    if use_role {
        txn.execute_unprepared("SET LOCAL ROLE stm_app")
            .await
            .map_err(store_err)?;
    }
    let set = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant.0.to_string().into()],
    );
    txn.execute_raw(set).await.map_err(store_err)?;
    Ok(())
}

/// One page of a newest-first keyset list: rows with an id below `before`
/// (all when `None`), by id descending, at most `limit`.
pub(crate) fn newest_first<E: EntityTrait>(
    query: Select<E>,
    id: E::Column,
    before: Option<i64>,
    limit: u32,
) -> Select<E> {
    let query = match before {
        Some(before) => query.filter(id.lt(before)),
        None => query,
    };
    query.order_by_desc(id).limit(u64::from(limit))
}
