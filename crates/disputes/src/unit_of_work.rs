//! The unit of work as the dispute use cases see it. Raising a dispute
//! writes the dispute, moves its job (version and history, by the jobs
//! crate's rule) and posts into the job's thread; resolving it writes the
//! dispute and the thread. Each is composed in its use case from these
//! stores, which decide nothing.

use async_trait::async_trait;
use effects::Effects;
use jobs::unit_of_work::JobStore;
use kernel::{StoreError, Timestamp};
use messaging::thread_store::ThreadStore;

use crate::dispute::{Dispute, DisputedJob, Raise};

/// Opens units of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DisputeUnits: Send + Sync {
    /// Begins one transaction.
    async fn begin(&self) -> Result<Box<dyn DisputeUnitOfWork>, StoreError>;
}

/// One open transaction; dropping it without [`commit`](Self::commit) rolls
/// everything back.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DisputeUnitOfWork: Send {
    /// The dispute rows and the effects of the unit.
    fn disputes(&mut self) -> Box<dyn DisputeStore>;
    /// The disputed job.
    fn jobs(&mut self) -> Box<dyn JobStore>;
    /// The job's thread.
    fn threads(&mut self) -> Box<dyn ThreadStore>;
    /// Makes every write of the unit visible at once.
    async fn commit(&mut self) -> Result<(), StoreError>;
}

/// The dispute rows of one unit of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DisputeStore: Send + Sync {
    /// Inserts the `pending` dispute with its evidence; returns its id. A
    /// second open dispute of the job is [`kernel::Constraint::DisputeOfJob`],
    /// evidence already cited is [`kernel::Constraint::DisputeOfAttachment`].
    async fn insert(
        &self,
        job: &DisputedJob,
        raise: &Raise,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Writes the resolution the rule returned, if the dispute is still
    /// pending ([`StoreError::Stale`] otherwise).
    async fn resolve(&self, dispute: &Dispute) -> Result<(), StoreError>;
    /// Writes the unit's notifications, audit row and real-time events.
    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError>;
}
