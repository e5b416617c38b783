//! The unit of work as the job use cases see it: one transaction whose
//! stores load and save, committed by the use case once its rules have run.
//! Writes that cross aggregates (a job paid with its sale and invoice, a
//! missed deadline with the provider's warning) are composed in the use
//! case from these stores; the stores decide nothing.

use async_trait::async_trait;
use billing::books::BooksStore;
use effects::Effects;
use kernel::{ProviderId, StoreError, TenantId, Timestamp, UserId};

use crate::job::Job;
use crate::machine::Facts;
use crate::payment::Sale;
use crate::ports::{JobChange, JobRecord, JobSettings};

/// Opens units of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobUnits: Send + Sync {
    /// Begins one transaction.
    async fn begin(&self) -> Result<Box<dyn JobUnitOfWork>, StoreError>;
}

/// One open transaction. Dropping it without [`commit`](Self::commit) rolls
/// everything back.
///
/// The order is part of the port: the platform's rows (the job, its sale)
/// come first, the tenant's books last — on PostgreSQL the books are written
/// under the tenant's row-level security, which sees nothing else. A store
/// used against that order fails with a fault rather than writing.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobUnitOfWork: Send {
    /// The platform's rows of jobs: the job and its history, thread and
    /// effects, the sale it records, the provider's standing.
    fn jobs(&mut self) -> Box<dyn JobStore>;
    /// The books of `tenant`, after every platform write.
    fn books(&mut self, tenant: TenantId) -> Box<dyn BooksStore>;
    /// Makes every write of the unit visible at once.
    async fn commit(&mut self) -> Result<(), StoreError>;
}

/// A provider's standing as the deadline sweep reads it, under the
/// provider's row lock (held to the end of the unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Counted warnings so far.
    pub warnings: i64,
    /// Whether it is under review now.
    pub under_review: bool,
    /// When the customer last cost it a counted warning.
    pub last_warning_from_customer: Option<Timestamp>,
}

/// The job rows of one unit of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobStore: Send + Sync {
    /// The settings in force.
    async fn settings(&self) -> Result<JobSettings, StoreError>;
    /// The job, unscoped (the use case has checked the caller may see it).
    async fn load(&self, id: i64) -> Result<JobRecord, StoreError>;
    /// What the rules need beyond the row.
    async fn facts(&self, job: &Job) -> Result<Facts, StoreError>;
    /// The provider's back-office tenant, if it has one.
    async fn provider_tenant(&self, provider: ProviderId) -> Result<Option<TenantId>, StoreError>;
    /// Writes a transition: the job by compare-and-set on
    /// `change.expected_version` ([`StoreError::Stale`] when it moved, or when
    /// a once-per-job event already exists), its events, its thread change,
    /// the provider's completed count after a `completed` event, its effects.
    async fn save(&self, change: &JobChange) -> Result<(), StoreError>;
    /// Inserts the sale's `completed` marketplace transaction; returns its id.
    async fn insert_sale(&self, sale: &Sale) -> Result<i64, StoreError>;
    /// Takes the provider's row lock and reads its standing, with the last
    /// counted warning `customer` caused.
    async fn standing(
        &self,
        provider: ProviderId,
        customer: UserId,
        at: Timestamp,
    ) -> Result<Standing, StoreError>;
    /// Records a counted warning about `job` and sets the provider's count to
    /// `warnings` (and its review flag when `flag`).
    async fn count_warning(
        &self,
        job: &Job,
        warnings: i64,
        flag: bool,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Records the reminder of `job` for its start `start`: false when one
    /// was recorded already (by this instance or another).
    async fn claim_reminder(
        &self,
        job: i64,
        start: Timestamp,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Writes effects that no row above carries.
    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError>;
}
