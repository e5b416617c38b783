//! What the dispute use cases need from storage. Reads take the viewer (or
//! the region), so scope is in the query; writes take what the rules decided,
//! with its effects, and only write it — in one transaction.

use async_trait::async_trait;
use effects::Effects;
use kernel::{StoreError, Timestamp, UserId};
use uuid::Uuid;

use crate::dispute::{Dispute, DisputeStatus, DisputedJob, Raise, Resolver};

/// Who is reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeViewer {
    /// The user: a party of the job sees it.
    pub user_id: UserId,
    /// Admins see every dispute.
    pub is_admin: bool,
    /// An LSM sees the disputes of jobs in this region.
    pub lsm_region: Option<String>,
}

/// Which disputes a list covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeScope {
    /// Everything the viewer may see (`GET /disputes`).
    Visible(DisputeViewer),
    /// The disputes of one region's jobs (`GET /lsm/disputes`).
    Region(String),
}

/// A dispute to store with what raising it causes.
#[derive(Debug, Clone)]
pub struct NewDispute {
    /// The job, as the raiser saw it.
    pub job: DisputedJob,
    /// The checked raise.
    pub raise: Raise,
    /// Posted as a system message into the job thread.
    pub system_message: String,
    /// The effects of the stored dispute (they carry its id, known only once
    /// it is inserted), computed inside the transaction.
    pub effects_for: fn(&Dispute) -> Effects,
    /// When.
    pub at: Timestamp,
}

/// A resolution to store if the dispute is still open.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The resolved dispute, as the rule returned it.
    pub dispute: Dispute,
    /// Who resolved it (an LSM becomes the thread's `lsm_user_id` if none acted before).
    pub resolver: Resolver,
    /// Posted as a system message into the job thread.
    pub system_message: String,
    /// Notifications, audit row, real-time events.
    pub effects: Effects,
    /// When.
    pub at: Timestamp,
}

/// Storage of disputes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DisputeRepository: Send + Sync {
    /// The job if `viewer` may see it (party, LSM of its region, admin).
    async fn job(&self, id: i64, viewer: &DisputeViewer)
    -> Result<Option<DisputedJob>, StoreError>;
    /// Of `ids`, those that are not `owner`'s attachments or are already
    /// evidence of a dispute, in the order given.
    async fn unusable_attachments(
        &self,
        owner: UserId,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError>;
    /// Stores the dispute, its attachment links, the `disputed` job event, the
    /// system message (with `message.created` for the parties and the
    /// region's LSMs) and the effects, in one transaction. A second open
    /// dispute on the job is `Conflict(Constraint::DisputeOfJob)`; an attachment
    /// linked meanwhile is `Conflict(Constraint::DisputeOfAttachment)`.
    async fn raise(&self, new: NewDispute) -> Result<Dispute, StoreError>;
    /// One dispute if `viewer` may see it.
    async fn find_visible(
        &self,
        id: i64,
        viewer: &DisputeViewer,
    ) -> Result<Option<Dispute>, StoreError>;
    /// Disputes in `scope`, newest first (by id), with ids below `before`.
    async fn list(
        &self,
        scope: &DisputeScope,
        status: Option<DisputeStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Dispute>, StoreError>;
    /// Writes the resolution if the dispute is still pending
    /// ([`StoreError::Stale`] otherwise), with the thread's `lsm_user_id`,
    /// the system message and the effects, in one transaction.
    async fn resolve(&self, resolution: Resolution) -> Result<Dispute, StoreError>;
}
