//! What the job use cases need from storage. Every read takes the viewer, so
//! scope is in the query; every write takes the complete result of a rule
//! (the new job, its events, its effects) and only writes it.

use async_trait::async_trait;
use effects::Effects;
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, Timestamp, UserId};
use serde_json::{Map, Value};

use crate::job::{Job, JobEvent};
use crate::machine::Facts;
use crate::metrics::{ResponseMetrics, ResponseSample};
use crate::quota::OpenRequestLimits;
use crate::rating::Rating;
use crate::status::JobStatus;

/// Who is reading; the repository turns it into the `WHERE` clause
/// (customer, provider's user, an LSM of the job's region, or an admin).
pub type JobViewer = kernel::Viewer;

/// A provider as booking needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookableProvider {
    /// The provider.
    pub id: ProviderId,
    /// Their user.
    pub user_id: UserId,
    /// Their region.
    pub region_code: String,
    /// Approved, live, not suspended or banned.
    pub active: bool,
    /// Whether they actively offer the requested service.
    pub offers_service: bool,
}

/// The settings jobs read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSettings {
    /// Minutes a provider has to answer a new job.
    pub response_deadline_minutes: i64,
    /// The platform's cut of a paid job, in basis points.
    pub platform_fee_bps: u32,
    /// Warnings that put a provider under review.
    pub warning_threshold: i64,
    /// Open requests a customer may have (per provider, in all).
    pub open_requests: OpenRequestLimits,
    /// The most a late cancel may cost, in basis points of the price.
    pub cancellation_fee_cap_bps: u32,
    /// Whether a provider's cancel of an accepted job counts as a warning.
    pub provider_cancel_counts_as_warning: bool,
    /// Hours before a booked job's start its parties are reminded.
    pub reminder_hours_before: i64,
}

/// A job to create, with everything it causes.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The job (id 0; the repository assigns it and the thread).
    pub job: Job,
    /// Validated answers.
    pub answers: Map<String, Value>,
    /// Currency of the price.
    pub currency: String,
    /// Customer's zipcode.
    pub zipcode: String,
    /// Address, if given.
    pub address: Option<String>,
    /// The `created` event.
    pub events: Vec<JobEvent>,
    /// The effects of the stored job (they name its id, known only once it is
    /// inserted), computed inside the transaction from the stored record.
    pub effects_for: fn(&JobRecord) -> Effects,
    /// The slot it holds, when booked by slot.
    pub hold: Option<crate::slots::NewHold>,
    /// The provider's cancellation policy at booking, which its cancels follow.
    pub cancellation_policy: Option<scheduling::CancellationPolicy>,
    pub at: Timestamp,
}

/// What happens to the job's thread with a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadChange {
    None,
    /// A system message (an edit's before/after, a decline).
    SystemMessage(String),
    /// Rejection soft-deletes the thread, kept for disputes.
    SoftDelete {
        /// Who rejected.
        by: UserId,
    },
}

/// A transition's result, to be written if the job is still at `expected_version`.
#[derive(Debug, Clone, PartialEq)]
pub struct JobChange {
    /// The version the rule was applied to.
    pub expected_version: i64,
    /// The new job.
    pub job: Job,
    /// The acting user (`None` for the system).
    pub actor: Option<UserId>,
    /// Events to append.
    pub events: Vec<JobEvent>,
    /// What the thread gets.
    pub thread: ThreadChange,
    /// Notifications, e-mails, real-time events.
    pub effects: Effects,
    /// What happens to the job's held ranges.
    pub slots: crate::slots::SlotChange,
    pub at: Timestamp,
}

/// One row of a job's history.
#[derive(Debug, Clone, PartialEq)]
pub struct JobEventRecord {
    pub id: i64,
    /// What happened (stored name).
    pub kind: String,
    /// Who did it.
    pub actor_user_id: Option<UserId>,
    /// In which role.
    pub actor_role: Option<String>,
    pub data: Value,
    pub created_at: Timestamp,
}

/// A job as read, with what the rules do not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// The rules' view.
    pub job: Job,
    /// The job's thread.
    pub thread_id: Option<uuid::Uuid>,
    /// Validated answers.
    pub answers: Value,
    pub currency: String,
    /// Customer's zipcode.
    pub zipcode: String,
    pub address: Option<String>,
    /// The provider's cancellation policy when it was booked (none for jobs
    /// booked before policies existed: their cancels are free).
    pub cancellation_policy: Option<scheduling::CancellationPolicy>,
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    pub id: i64,
    /// The job.
    pub job_id: i64,
    /// The provider rated.
    pub provider_id: ProviderId,
    /// Overall stars.
    pub rating: u8,
    /// Punctuality stars.
    pub punctuality_rating: u8,
    /// Responsiveness stars.
    pub response_time: u8,
    /// Free text.
    pub feedback: Option<String>,
    pub created_at: Timestamp,
}

/// Filters of `GET /jobs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Only this status.
    pub status: Option<JobStatus>,
}

/// Storage of jobs.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobRepository: Send + Sync {
    /// The settings in force.
    async fn settings(&self) -> Result<JobSettings, StoreError>;
    /// A provider as booking sees it, with whether it offers `service`.
    async fn bookable_provider(
        &self,
        provider: ProviderId,
        service: ServiceId,
    ) -> Result<Option<BookableProvider>, StoreError>;
    /// The provider's hours (exceptions ending after `after`) and the
    /// service's timing in force.
    async fn booking_schedule(
        &self,
        provider: ProviderId,
        service: ServiceId,
        after: Timestamp,
    ) -> Result<crate::slots::BookingSchedule, StoreError>;
    /// Accepted jobs starting in `(from, until]` not yet reminded of that
    /// start, soonest first, at most `limit`.
    async fn due_reminders(
        &self,
        from: Timestamp,
        until: Timestamp,
        limit: u64,
    ) -> Result<Vec<JobRecord>, StoreError>;
    /// Creates the job, its thread, its events and effects in one transaction.
    async fn create(&self, new: NewJob) -> Result<JobRecord, StoreError>;
    /// [`create`](Self::create) if [`OpenRequestLimits::admit`] lets the
    /// customer have one more open request: the transaction takes the
    /// customer's lock first, counts their open (`new`) jobs, asks the rule,
    /// and inserts — so racing requests cannot pass the limit together. A
    /// refusal writes nothing and is the inner `Err`.
    async fn create_within_quota(
        &self,
        new: NewJob,
        limits: OpenRequestLimits,
    ) -> Result<Result<JobRecord, kernel::QuotaExceeded>, StoreError>;
    /// A job the viewer may see.
    async fn find_visible(
        &self,
        id: i64,
        viewer: JobViewer,
    ) -> Result<Option<JobRecord>, StoreError>;
    /// What the rules need beyond the row (an open dispute, the provider's standing).
    async fn facts(&self, job: &Job) -> Result<Facts, StoreError>;
    /// Writes a transition if the job is still at `expected_version`
    /// ([`StoreError::Stale`] otherwise), with its events, thread change and effects.
    async fn apply(&self, change: JobChange) -> Result<JobRecord, StoreError>;
    /// The viewer's jobs, newest first.
    async fn list(
        &self,
        viewer: JobViewer,
        filter: JobFilter,
        page: PageRequest,
    ) -> Result<Page<JobRecord>, StoreError>;
    /// A job's history, oldest first.
    async fn events(&self, id: i64) -> Result<Vec<JobEventRecord>, StoreError>;
    /// Whether the job is rated.
    async fn is_rated(&self, id: i64) -> Result<bool, StoreError>;
    /// Stores the rating with its `rated` event ([`Rating::event`]), adds
    /// it to the provider's figures and writes the effects; a second rating
    /// of the job is a conflict on `uq_ratings_feedback_job_id`.
    async fn rate(
        &self,
        job: &Job,
        rating: &Rating,
        effects: Effects,
        at: Timestamp,
    ) -> Result<RatingRecord, StoreError>;
    /// `new` jobs past their response deadline, unanswered and not yet warned
    /// about, oldest deadline first, at most `limit`.
    async fn overdue(&self, now: Timestamp, limit: u64) -> Result<Vec<JobRecord>, StoreError>;
    /// The jobs created since `since`, per provider, as the response metrics read them.
    async fn response_samples(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(ProviderId, ResponseSample)>, StoreError>;
    /// Replaces every provider's response figures: the listed ones get theirs,
    /// every other provider none (nothing in the window).
    async fn write_response_figures(
        &self,
        figures: Vec<(ProviderId, ResponseMetrics)>,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}
