//! Ports of demand: search, its logs, service requests, popularity.

use async_trait::async_trait;
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, Timestamp, UserId};

use super::Scope;
use crate::effects::{AuditEntry, Message};
use crate::popularity::SearchCount;

/// Search, its logs and missing-service requests, popularity.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DemandRepository: Send + Sync {
    /// Records a search that resolved a service (one row per search).
    async fn log_search(&self, log: SearchLog) -> Result<(), StoreError>;
    /// Records a search nobody could answer. It causes no message: demand
    /// reaches the LSMs only through the digest.
    async fn record_request(&self, request: NewServiceRequest) -> Result<i64, StoreError>;
    /// Regions with undigested requests, at least one active LSM and a last
    /// digest at or before `cutoff` (or none), each with its `top` keywords.
    async fn pending_demand(
        &self,
        cutoff: Timestamp,
        top: u32,
    ) -> Result<Vec<PendingDemand>, StoreError>;
    /// In one transaction: claims the region's digest (a conditional update of
    /// its `demand_digest_sent_at`, so one caller per period wins), marks the
    /// counted requests `email_sent`, and writes the message. `false` when
    /// another run claimed it first or the requests changed since counted
    /// (then nothing is written and the next tick tries again).
    async fn send_digest(&self, digest: DigestSend) -> Result<bool, StoreError>;
    /// Distinct searchers per day of each (service, region), summed over
    /// `[from, to)`, and whether a live provider offers the service there.
    async fn search_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SearchCount>, StoreError>;
    /// Recomputes `service_region_popularity` for the window in one aggregate
    /// statement (overrides untouched); returns the rows written.
    async fn recompute_popularity(&self, run: PopularityRun) -> Result<u64, StoreError>;
    /// Claims the scheduled run of `job` starting at `slot` and recomputes, in one
    /// transaction: exactly one caller per slot gets `Some`, and a run that fails
    /// leaves the slot unclaimed for the next tick.
    async fn recompute_for_slot(
        &self,
        job: &str,
        slot: Timestamp,
        run: PopularityRun,
    ) -> Result<Option<u64>, StoreError>;
    /// The popularity rows of a region.
    async fn popularity(&self, region: String) -> Result<Vec<PopularityRow>, StoreError>;
    /// Sets or clears the override of a service in one region, or in every region.
    async fn set_override(
        &self,
        service: ServiceId,
        region: Option<String>,
        value: Option<bool>,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<u64, StoreError>;
    /// Service requests of a region since `since`, newest first.
    async fn requests(
        &self,
        region: String,
        since: Timestamp,
        reviewed: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<ServiceRequest>, StoreError>;
    /// The region's most requested keywords since `since`, with counts.
    async fn top_missing(
        &self,
        region: String,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, i64)>, StoreError>;
    /// Marks a request of the LSM's region reviewed (`NotFound` outside it).
    async fn review_request(
        &self,
        scope: Scope,
        id: i64,
        by: UserId,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<ServiceRequest, StoreError>;
}

/// One search that resolved a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchLog {
    /// The resolved service.
    pub service_id: ServiceId,
    /// Region searched (`None`: unserved zipcode).
    pub region: Option<String>,
    /// Zipcode searched.
    pub zipcode: Option<String>,
    /// Who searched (see [`crate::searcher`]).
    pub searcher_key: String,
    /// The UTC day of `at`, the bucket popularity counts searchers in.
    pub day: chrono::NaiveDate,
    pub at: Timestamp,
}

/// A region's demand not yet sent to its LSMs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDemand {
    /// Region code.
    pub region: String,
    /// Requests counted (all undigested ones with `id <= up_to_id`).
    pub requests: i64,
    /// Distinct keywords among them.
    pub keywords: i64,
    /// The highest request id counted.
    pub up_to_id: i64,
    /// The most requested keywords with their counts, most first.
    pub top_keywords: Vec<(String, i64)>,
}

/// One digest to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSend {
    /// Region code.
    pub region: String,
    /// The region's previous digest must be at or before this instant.
    pub cutoff: Timestamp,
    /// Now: the new `demand_digest_sent_at`.
    pub now: Timestamp,
    /// Requests with `id <= up_to_id` not yet sent are included...
    pub up_to_id: i64,
    /// ...and there must be exactly this many of them.
    pub requests: i64,
    /// The e-mail and notification to the region's LSMs.
    pub message: Message,
}

/// A search nobody could answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServiceRequest {
    /// The keyword, folded by `kernel::fold_keyword`.
    pub keyword: String,
    /// Zipcode searched.
    pub zipcode: Option<String>,
    /// Region searched.
    pub region: Option<String>,
    /// Signed-in searcher.
    pub customer_id: Option<UserId>,
    pub at: Timestamp,
}

/// What one search page asks the database for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSpec {
    /// Resolved service.
    pub service_id: ServiceId,
    /// Region code.
    pub region: String,
    /// Continue after this rank key (first page: none).
    pub after: Option<crate::ranking::RankKey>,
    /// Rows wanted (the use case asks one more to know if a page follows).
    pub limit: u32,
}

/// A ranked candidate of a search by availability: its card and what its
/// free slots are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateHours {
    pub card: ProviderCard,
    /// Its own zone; `None`: its region's.
    pub time_zone: Option<String>,
    pub rules: Vec<scheduling::WeeklyRule>,
    /// Its exceptions overlapping the range asked about.
    pub exceptions: Vec<scheduling::Exception>,
    /// What it set of the service's timing.
    pub timing: scheduling::TimingPatch,
    /// Its live holds and bookings overlapping the range asked about.
    pub busy: Vec<scheduling::Hold>,
}

/// The candidates of a search by availability, best first, with the
/// platform's timing defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedHours {
    pub candidates: Vec<CandidateHours>,
    pub defaults: scheduling::TimingDefaults,
}

/// A provider as listed by search.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderCard {
    pub provider_id: ProviderId,
    /// Business name.
    pub business_name: String,
    /// Sum of 1–5 ratings.
    pub rating_sum: i64,
    /// Number of ratings.
    pub rating_count: i64,
    /// Completed (or paid) jobs.
    pub completed_jobs: i64,
    /// Share of the last 90 days' jobs answered before their deadline.
    pub response_rate: Option<f64>,
    /// Median minutes to answer over the last 90 days.
    pub median_response_minutes: Option<i64>,
    /// What a late cancel costs with this provider.
    pub cancellation_policy: scheduling::CancellationPolicy,
}

/// The ranked providers of a service in a region.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SearchRepository: Send + Sync {
    /// Live providers actively offering the service in the region, best first,
    /// after the cursor, at most `limit`; and, when given, the search's log
    /// row written with it (one round trip where the backend allows: a
    /// search is answered only once its log row is written).
    async fn providers(
        &self,
        spec: SearchSpec,
        log: Option<SearchLog>,
    ) -> Result<Vec<ProviderCard>, StoreError>;
    /// As [`Self::providers`], each provider with its hours, its timing of
    /// the service and its exceptions and live holds overlapping `around`,
    /// and the platform's timing defaults — one round trip where the
    /// backend allows (the search by availability filters them).
    async fn with_hours(
        &self,
        spec: SearchSpec,
        around: (Timestamp, Timestamp),
        log: Option<SearchLog>,
    ) -> Result<RankedHours, StoreError>;
    /// One provider's figures as a card (for its public profile), whatever its standing.
    async fn card(&self, provider: ProviderId) -> Result<Option<ProviderCard>, StoreError>;
}

/// One popularity computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopularityRun {
    /// Window start (inclusive).
    pub from: Timestamp,
    /// Window end (exclusive).
    pub to: Timestamp,
    /// Popular services per region.
    pub top_k: i64,
    /// Searches needed.
    pub min_searches: i64,
    /// When computed.
    pub now: Timestamp,
}

/// A stored popularity row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopularityRow {
    pub service_id: ServiceId,
    pub region_code: String,
    /// Searches in the window.
    pub search_count: i64,
    /// Computed flag.
    pub computed: bool,
    /// Admin override.
    pub admin_override: Option<bool>,
    /// Window end of the last computation.
    pub window_end: Option<Timestamp>,
}

/// A stored service request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub id: i64,
    pub keyword: String,
    pub zipcode: Option<String>,
    pub region: Option<String>,
    pub customer_id: Option<UserId>,
    /// The LSM e-mail left.
    pub email_sent: bool,
    pub reviewed: bool,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Option<Timestamp>,
    pub created_at: Timestamp,
}
