//! The unit of work: one transaction that hands out stores, which load and
//! save through it; the use case commits, and dropping it rolls back.
//!
//! It is also the one place that knows the order row-level security needs.
//! On PostgreSQL a tenant's books are written as the `stm_app` role with the
//! tenant declared (`app.tenant_id`), and that role sees only the billing
//! tables: once a unit has entered a tenant's books, a statement on any
//! platform table would fail, and a second tenant would be written under the
//! first one's policy. [`Tx`] refuses both before the database sees them,
//! with [`OutOfOrder`] as the typed cause — on SQLite too, where nothing
//! else would notice, so a use case that breaks the order fails in every
//! test, not only on PostgreSQL.

mod books;
mod closure;
mod closure_provider;
mod closure_tenant;
mod disputes;
mod jobs;
mod sales;
pub(crate) mod threads;

use std::sync::{Arc, Mutex};

use kernel::{Fault, StoreError, TenantId};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::billing::BillingDb;
use crate::error::store_err;

pub use self::books::SqlBooksStore;
pub use self::closure::{SqlClosure, SqlClosures};
pub use self::disputes::SqlDisputeStore;
pub use self::jobs::SqlJobStore;
pub use self::sales::SqlSaleStore;
pub use self::threads::SqlThreadStore;

/// Opens units of work on one pool.
#[derive(Debug, Clone)]
pub struct SqlUnitsOfWork {
    db: DatabaseConnection,
    billing: BillingDb,
}

impl SqlUnitsOfWork {
    /// Units of work on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            billing: BillingDb::new(db.clone()),
            db,
        }
    }

    /// Begins one. On SQLite the write lock is taken at `BEGIN`, so a unit
    /// that reads before it writes never fails to upgrade its lock.
    pub async fn open(&self) -> Result<SqlUnitOfWork, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let txn = self
            .db
            .begin_with_options(options)
            .await
            .map_err(store_err)?;
        Ok(SqlUnitOfWork {
            tx: Some(Arc::new(Tx {
                txn: Some(txn),
                billing: self.billing.clone(),
                phase: Mutex::new(Phase::Platform),
            })),
        })
    }
}

/// One open unit of work. Its stores share the transaction; committing
/// needs them all dropped.
#[derive(Debug)]
pub struct SqlUnitOfWork {
    tx: Option<Arc<Tx>>,
}

impl SqlUnitOfWork {
    /// The shared transaction, for a store; a unit already committed hands out
    /// stores that refuse every statement.
    pub(crate) fn tx(&self) -> Arc<Tx> {
        match &self.tx {
            Some(tx) => Arc::clone(tx),
            None => Arc::new(Tx::spent()),
        }
    }

    /// Commits everything the stores wrote.
    pub async fn commit(&mut self) -> Result<(), StoreError> {
        let tx = self
            .tx
            .take()
            .ok_or_else(|| OutOfOrder::fault(Misuse::Spent))?;
        let tx = Arc::try_unwrap(tx).map_err(|_| OutOfOrder::fault(Misuse::StoreOutlivedUnit))?;
        match tx.txn {
            Some(txn) => txn.commit().await.map_err(store_err),
            None => Err(OutOfOrder::fault(Misuse::Spent)),
        }
    }
}

/// Where a unit of work stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Writing the platform's own tables.
    Platform,
    /// Writing this tenant's books; nothing else from here on.
    Books(TenantId),
}

/// The transaction the stores of one unit share, and its phase.
#[derive(Debug)]
pub(crate) struct Tx {
    txn: Option<DatabaseTransaction>,
    billing: BillingDb,
    phase: Mutex<Phase>,
}

impl Tx {
    fn spent() -> Self {
        Self {
            txn: None,
            billing: BillingDb::new(DatabaseConnection::default()),
            phase: Mutex::new(Phase::Platform),
        }
    }

    fn phase(&self) -> Phase {
        match self.phase.lock() {
            Ok(phase) => *phase,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    fn txn(&self) -> Result<&DatabaseTransaction, StoreError> {
        self.txn
            .as_ref()
            .ok_or_else(|| OutOfOrder::fault(Misuse::Spent))
    }

    /// The transaction for a statement on the platform's tables: refused
    /// once the unit has entered a tenant's books.
    pub(crate) fn platform(&self) -> Result<&DatabaseTransaction, StoreError> {
        match self.phase() {
            Phase::Platform => self.txn(),
            Phase::Books(_) => Err(OutOfOrder::fault(Misuse::PlatformAfterBooks)),
        }
    }

    /// The transaction for a statement on `tenant`'s books; the first such
    /// statement turns the rest of the unit into that tenant's billing write.
    pub(crate) async fn books(&self, tenant: TenantId) -> Result<&DatabaseTransaction, StoreError> {
        match self.phase() {
            Phase::Books(t) if t == tenant => self.txn(),
            Phase::Books(_) => Err(OutOfOrder::fault(Misuse::SecondTenant)),
            Phase::Platform => {
                let txn = self.txn()?;
                self.billing.enter_tenant(txn, tenant).await?;
                match self.phase.lock() {
                    Ok(mut phase) => *phase = Phase::Books(tenant),
                    Err(poisoned) => *poisoned.into_inner() = Phase::Books(tenant),
                }
                Ok(txn)
            }
        }
    }
}

/// How a use case misused its unit of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misuse {
    /// A statement on a platform table after the tenant's books were entered
    /// (PostgreSQL's billing role could not even see the table).
    PlatformAfterBooks,
    /// A second tenant's books in one unit.
    SecondTenant,
    /// A store still held when the unit was committed.
    StoreOutlivedUnit,
    /// A store of a unit already committed, or a second commit.
    Spent,
}

/// The typed cause of a refused statement (inside [`StoreError::Backend`]):
/// a fault in a use case, never in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unit of work used out of order: {0:?}")]
pub struct OutOfOrder(pub Misuse);

impl OutOfOrder {
    fn fault(misuse: Misuse) -> StoreError {
        StoreError::Backend(Fault::new(OutOfOrder(misuse)))
    }

    /// The misuse behind `error`, if that is what it is.
    pub fn of(error: &StoreError) -> Option<Misuse> {
        match error {
            StoreError::Backend(fault) => fault.get().downcast_ref::<OutOfOrder>().map(|o| o.0),
            _ => None,
        }
    }
}
