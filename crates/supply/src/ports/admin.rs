//! Ports of admin data: ban requests, settings, LSMs, catalog edits, the audit log.

use async_trait::async_trait;
use catalog::{Region, ServiceDefinition, ServiceStatus};
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, Timestamp, UserId};
use serde_json::Value;

use super::Transition;
use crate::effects::{AuditEntry, Effects};

/// Status of a ban request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanStatus {
    /// Waiting for an admin.
    Pending,
    /// The provider was banned.
    Approved,
    Rejected,
}

impl BanStatus {
    /// Every status.
    pub const ALL: [BanStatus; 3] = [BanStatus::Pending, BanStatus::Approved, BanStatus::Rejected];

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
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// An LSM's request that an admin ban a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanRequest {
    pub id: i64,
    pub provider_id: ProviderId,
    /// LSM who asked.
    pub requested_by: UserId,
    pub reason: String,
    pub status: BanStatus,
    /// Admin who decided.
    pub decided_by: Option<UserId>,
    /// Admin's note.
    pub decision_note: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

/// An admin's decision on a ban request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanDecision {
    /// Request id.
    pub id: i64,
    /// Approved or rejected.
    pub status: BanStatus,
    pub decided_by: UserId,
    pub note: Option<String>,
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
        at: Timestamp,
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
    pub first_name: String,
    pub last_name: String,
    /// Region managed.
    pub region: String,
    pub created_at: Timestamp,
}

/// A new LSM account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLsm {
    /// Normalised e-mail.
    pub email: String,
    /// argon2id hash.
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    /// Region code.
    pub region: String,
}

/// A line of the decisions log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    /// The entry.
    pub entry: AuditEntry,
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
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Creates the user, its `lsm` role and its `local_service_managers` row.
    async fn create_lsm(
        &self,
        lsm: NewLsm,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<Lsm, StoreError>;
    /// LSMs, by id.
    async fn lsms(&self, page: &PageRequest) -> Result<Page<Lsm>, StoreError>;
    /// The decisions log, newest first.
    async fn audit_log(&self, page: &PageRequest) -> Result<Page<AuditRecord>, StoreError>;
    /// Adds a catalog service; returns its id.
    async fn create_service(
        &self,
        def: ServiceDefinition,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<ServiceId, StoreError>;
    /// Replaces a service's content and status.
    async fn update_service(
        &self,
        id: ServiceId,
        def: ServiceDefinition,
        status: ServiceStatus,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Adds a region.
    async fn create_region(
        &self,
        region: Region,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<(), StoreError>;
}
