//! What the dispute use cases read from storage, with the viewer (or the
//! region) in the query. Their writes go through a unit of work
//! ([`crate::unit_of_work`]).

use async_trait::async_trait;
use kernel::{StoreError, UserId};
use uuid::Uuid;

use crate::dispute::{Dispute, DisputeStatus, DisputedJob};

/// Who is reading: a party of the job, an LSM of its region, an admin.
pub type DisputeViewer = kernel::Viewer;

/// Which disputes a list covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeScope {
    /// Everything the viewer may see (`GET /disputes`).
    Visible(DisputeViewer),
    /// The disputes of one region's jobs (`GET /lsm/disputes`).
    Region(String),
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
}
