//! What the scheduling use cases need from storage.

use async_trait::async_trait;
use kernel::{ProviderId, ServiceId, StoreError, Timestamp, UserId};

use crate::availability::{Exception, WeeklyRule};
use crate::cancellation::CancellationPolicy;
use crate::slots::Hold;
use crate::timing::{TimingDefaults, TimingPatch};

/// A provider as scheduling sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRef {
    pub id: ProviderId,
    /// Its profile's status (`pending`, `approved`, `rejected`, …).
    pub status: String,
    /// Its region's IANA zone.
    pub region_time_zone: String,
}

/// A stored exception with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredException {
    pub id: i64,
    pub exception: Exception,
}

/// Everything stored about one provider's hours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredSchedule {
    /// Its own zone; `None`: its region's.
    pub time_zone: Option<String>,
    pub rules: Vec<WeeklyRule>,
    /// Exceptions ending after the instant asked about.
    pub exceptions: Vec<StoredException>,
    pub policy: CancellationPolicy,
}

/// The timing a provider set for one service, field by field (`None`: the
/// platform's default), for a service it offers and has switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferedTiming {
    pub service_id: ServiceId,
    pub set: TimingPatch,
}

/// A held or booked slot as the provider's calendar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarEntry {
    pub job_id: i64,
    /// Booked (an accepted job), or held until the provider answers.
    pub booked: bool,
    /// The slot's start.
    pub slot_start: Timestamp,
    /// What it blocks, buffers included.
    pub start: Timestamp,
    pub end: Timestamp,
}

/// The scheduling tables.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// The caller's own provider profile, if any (deleted ones excluded).
    async fn own_provider(&self, user: UserId) -> Result<Option<ProviderRef>, StoreError>;
    /// A live provider (approved, not deleted, account active).
    async fn live_provider(&self, id: ProviderId) -> Result<Option<ProviderRef>, StoreError>;
    /// The provider's hours, with the exceptions ending after `after`.
    async fn schedule(
        &self,
        provider: ProviderId,
        after: Timestamp,
    ) -> Result<StoredSchedule, StoreError>;
    /// Replaces the weekly set and the zone, in one transaction.
    async fn replace_rules(
        &self,
        provider: ProviderId,
        time_zone: Option<String>,
        rules: Vec<WeeklyRule>,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Stores an exception; its id.
    async fn add_exception(
        &self,
        provider: ProviderId,
        exception: Exception,
        at: Timestamp,
    ) -> Result<i64, StoreError>;
    /// Deletes one of the provider's exceptions (`NotFound` when it has none of that id).
    async fn delete_exception(&self, provider: ProviderId, id: i64) -> Result<(), StoreError>;
    /// The timing set for the provider's offered services (one service when
    /// `only` is given), switched-off ones only with `paused`; a service it
    /// does not offer is absent.
    async fn timings(
        &self,
        provider: ProviderId,
        only: Option<ServiceId>,
        paused: bool,
    ) -> Result<Vec<OfferedTiming>, StoreError>;
    /// Stores the whole set timing of one service.
    async fn set_timing(
        &self,
        provider: ProviderId,
        timing: OfferedTiming,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Stores the cancellation policy.
    async fn set_policy(
        &self,
        provider: ProviderId,
        policy: CancellationPolicy,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The provider's live holds and bookings overlapping `[from, to)`.
    async fn busy(
        &self,
        provider: ProviderId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Hold>, StoreError>;
    /// The platform's timing defaults.
    async fn defaults(&self) -> Result<TimingDefaults, StoreError>;
    /// Stores the hash of the provider's calendar feed token (the old one
    /// stops working).
    async fn set_calendar_token(
        &self,
        provider: ProviderId,
        hash: String,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The provider (not deleted) whose feed token hashes to `hash`.
    async fn calendar_owner(&self, hash: &str) -> Result<Option<ProviderId>, StoreError>;
    /// The provider's live holds and bookings ending after `since`, by start.
    async fn calendar(
        &self,
        provider: ProviderId,
        since: Timestamp,
    ) -> Result<Vec<CalendarEntry>, StoreError>;
}
