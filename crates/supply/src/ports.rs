//! What the supply use cases need from storage and the outside world.
//!
//! Methods that change state take the [`Effects`] they cause and write them in
//! the same transaction. Methods reading another region's rows take the
//! [`Scope`] and put it in the `WHERE` clause: out of scope is "not found".

use async_trait::async_trait;
use catalog::{Region, ServiceDefinition, ServiceStatus};
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, Timestamp, UserId};
use serde_json::Value;

use crate::effects::{AuditEntry, Effects};
use crate::popularity::SearchCount;
use crate::provider::{Provider, ProviderStatus};

/// Whose rows a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The region managed by this LSM (read from `local_service_managers` in the query).
    LsmRegion(UserId),
    /// Every region (admins).
    All,
}

/// A new application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvider {
    /// Applicant.
    pub user_id: UserId,
    /// Business name.
    pub business_name: String,
    /// Normalised phone.
    pub phone: String,
    /// Zipcode.
    pub zipcode: String,
    /// Its region.
    pub region_code: String,
    /// Bio.
    pub bio: Option<String>,
    /// Offered services (approved catalog services).
    pub service_ids: Vec<ServiceId>,
}

/// Fields a provider may change on its profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    /// New business name.
    pub business_name: Option<String>,
    /// New normalised phone.
    pub phone: Option<String>,
    /// New bio (`Some(None)` clears it).
    pub bio: Option<Option<String>>,
}

/// A state change of a provider, applied only if the row still is `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The provider as read.
    pub before: Provider,
    /// The provider as it must become.
    pub after: Provider,
    /// Create the provider's back-office tenant (on approval).
    pub create_tenant: bool,
}

/// A service a provider offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedService {
    /// Service.
    pub service_id: ServiceId,
    /// Switched on.
    pub is_active: bool,
    /// Since.
    pub created_at: Timestamp,
}

/// Provider profiles and their offered services.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProviderRepository: Send + Sync {
    /// The applicant's e-mail and existing provider profile, if any.
    async fn applicant(
        &self,
        user_id: UserId,
    ) -> Result<Option<(String, Option<Provider>)>, StoreError>;
    /// When the latest rejected application with this e-mail or phone was rejected.
    async fn last_rejection(
        &self,
        email: &str,
        phone: &str,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// Stores an application (replacing the user's own rejected one) with its services.
    async fn create(&self, new: NewProvider, effects: Effects) -> Result<Provider, StoreError>;
    /// A provider in scope, deleted ones included.
    async fn find(&self, scope: &Scope, id: ProviderId) -> Result<Option<Provider>, StoreError>;
    /// The caller's own profile.
    async fn by_user(&self, user_id: UserId) -> Result<Option<Provider>, StoreError>;
    /// Providers in scope, optionally by status and review flag, oldest first.
    async fn list(
        &self,
        scope: &Scope,
        status: Option<ProviderStatus>,
        under_review: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<Provider>, StoreError>;
    /// Changes profile fields.
    async fn update_profile(
        &self,
        id: ProviderId,
        patch: ProfilePatch,
    ) -> Result<Provider, StoreError>;
    /// Applies a transition if the row is unchanged since read (else `Conflict("stale")`).
    async fn transition(
        &self,
        change: Transition,
        effects: Effects,
    ) -> Result<Provider, StoreError>;
    /// The offered services, active or not.
    async fn offered(&self, id: ProviderId) -> Result<Vec<OfferedService>, StoreError>;
    /// Makes exactly `services` active; others are switched off, never deleted.
    async fn set_offered(
        &self,
        id: ProviderId,
        services: Vec<ServiceId>,
    ) -> Result<Vec<OfferedService>, StoreError>;
    /// Switches one offered service on or off (`NotFound` if not offered).
    async fn set_active(
        &self,
        id: ProviderId,
        service: ServiceId,
        active: bool,
    ) -> Result<OfferedService, StoreError>;
}

/// Status of a ban request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanStatus {
    /// Waiting for an admin.
    Pending,
    /// The provider was banned.
    Approved,
    /// Refused.
    Rejected,
}

impl BanStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            BanStatus::Pending => "pending",
            BanStatus::Approved => "approved",
            BanStatus::Rejected => "rejected",
        }
    }
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [BanStatus::Pending, BanStatus::Approved, BanStatus::Rejected]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// An LSM's request that an admin ban a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanRequest {
    /// Id.
    pub id: i64,
    /// Provider.
    pub provider_id: ProviderId,
    /// LSM who asked.
    pub requested_by: UserId,
    /// Why.
    pub reason: String,
    /// Status.
    pub status: BanStatus,
    /// Admin who decided.
    pub decided_by: Option<UserId>,
    /// Admin's note.
    pub decision_note: Option<String>,
    /// Asked.
    pub created_at: Timestamp,
    /// Decided.
    pub decided_at: Option<Timestamp>,
}

/// An admin's decision on a ban request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanDecision {
    /// Request id.
    pub id: i64,
    /// Approved or rejected.
    pub status: BanStatus,
    /// Admin.
    pub decided_by: UserId,
    /// Note.
    pub note: Option<String>,
    /// When.
    pub at: Timestamp,
    /// On approval: the provider's ban (its user is banned too).
    pub ban: Option<Transition>,
}

/// Ban requests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BanRepository: Send + Sync {
    /// Files a request (one pending per provider: `Conflict`).
    async fn create(
        &self,
        provider: ProviderId,
        requested_by: UserId,
        reason: String,
        effects: Effects,
    ) -> Result<BanRequest, StoreError>;
    /// A request by id.
    async fn find(&self, id: i64) -> Result<Option<BanRequest>, StoreError>;
    /// Requests, optionally by status, oldest first.
    async fn list(
        &self,
        status: Option<BanStatus>,
        page: &PageRequest,
    ) -> Result<Page<BanRequest>, StoreError>;
    /// Decides a pending request (else `Conflict("stale")`), banning on approval.
    async fn decide(
        &self,
        decision: BanDecision,
        effects: Effects,
    ) -> Result<BanRequest, StoreError>;
}

/// A local service manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lsm {
    /// `local_service_managers.id`.
    pub id: i64,
    /// The user.
    pub user_id: UserId,
    /// E-mail.
    pub email: String,
    /// Name.
    pub first_name: String,
    /// Name.
    pub last_name: String,
    /// Region managed.
    pub region: String,
    /// Created.
    pub created_at: Timestamp,
}

/// A new LSM account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLsm {
    /// Normalised e-mail.
    pub email: String,
    /// argon2id hash.
    pub password_hash: String,
    /// Name.
    pub first_name: String,
    /// Name.
    pub last_name: String,
    /// Region code.
    pub region: String,
}

/// A line of the decisions log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Id.
    pub id: i64,
    /// The entry.
    pub entry: AuditEntry,
    /// When.
    pub created_at: Timestamp,
}

/// Admin-only data: settings, LSMs, the catalog, the audit log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AdminRepository: Send + Sync {
    /// Stored settings rows.
    async fn settings(&self) -> Result<Vec<(String, Value)>, StoreError>;
    /// Upserts settings rows.
    async fn save_settings(
        &self,
        changes: Vec<(String, i64)>,
        by: UserId,
        audit: AuditEntry,
    ) -> Result<(), StoreError>;
    /// Creates the user, its `lsm` role and its `local_service_managers` row.
    async fn create_lsm(&self, lsm: NewLsm, audit: AuditEntry) -> Result<Lsm, StoreError>;
    /// LSMs, by id.
    async fn lsms(&self, page: &PageRequest) -> Result<Page<Lsm>, StoreError>;
    /// The decisions log, newest first.
    async fn audit_log(&self, page: &PageRequest) -> Result<Page<AuditRecord>, StoreError>;
    /// Adds a catalog service; returns its id.
    async fn create_service(
        &self,
        def: ServiceDefinition,
        audit: AuditEntry,
    ) -> Result<ServiceId, StoreError>;
    /// Replaces a service's content and status.
    async fn update_service(
        &self,
        id: ServiceId,
        def: ServiceDefinition,
        status: ServiceStatus,
        audit: AuditEntry,
    ) -> Result<(), StoreError>;
    /// Adds a region.
    async fn create_region(&self, region: Region, audit: AuditEntry) -> Result<(), StoreError>;
}

/// Search, its logs and missing-service requests, popularity.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DemandRepository: Send + Sync {
    /// Records a search that resolved a service.
    async fn log_search(
        &self,
        service: ServiceId,
        region: Option<String>,
        zipcode: Option<String>,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Records a search nobody could answer, with its e-mail to the region's LSMs.
    async fn record_request(
        &self,
        request: NewServiceRequest,
        effects: Effects,
    ) -> Result<i64, StoreError>;
    /// Searches per (service, region) in `[from, to)`.
    async fn search_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SearchCount>, StoreError>;
}

/// A search nobody could answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServiceRequest {
    /// What was typed.
    pub keyword: String,
    /// Zipcode searched.
    pub zipcode: Option<String>,
    /// Region searched.
    pub region: Option<String>,
    /// Signed-in searcher.
    pub customer_id: Option<UserId>,
    /// When.
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

/// A provider as listed by search.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderCard {
    /// Provider.
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
}

/// The ranked providers of a service in a region.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SearchRepository: Send + Sync {
    /// Live providers actively offering the service in the region, best first,
    /// after the cursor, at most `limit`. One statement.
    async fn providers(&self, spec: SearchSpec) -> Result<Vec<ProviderCard>, StoreError>;
}
