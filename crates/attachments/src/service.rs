//! The use cases: check the upload quota, record an accepted upload, find
//! one for a reader (the sweeper is in [`crate::sweep`]).

use std::sync::Arc;

use kernel::{Clock, Ctx};
use uuid::Uuid;

use crate::file_name::sanitize;
use crate::intake::Checked;
use crate::model::{Attachment, AttachmentError, storage_key};
use crate::ports::AttachmentRepository;
use crate::quota::DAY;

/// Attachment use cases over their port.
#[derive(Clone)]
pub struct AttachmentService {
    repo: Arc<dyn AttachmentRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AttachmentService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentService").finish_non_exhaustive()
    }
}

/// A new upload's id and the key its bytes are written under, chosen before
/// the first byte is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The attachment id.
    pub id: Uuid,
    /// The object-store key.
    pub storage_key: String,
}

impl AttachmentService {
    /// The use cases over `repo`, timed by `clock`.
    pub fn new(repo: Arc<dyn AttachmentRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
    }

    pub(crate) fn repo(&self) -> &dyn AttachmentRepository {
        self.repo.as_ref()
    }

    pub(crate) fn now(&self) -> kernel::Timestamp {
        self.clock.now()
    }

    /// Refuses an upload before its body is read when the caller has no room
    /// left for one more file (see [`crate::quota`]).
    pub async fn check_quota(&self, ctx: &Ctx) -> Result<(), AttachmentError> {
        let now = self.clock.now();
        let (limits, used) = self.repo.upload_use(ctx.user_id, now - DAY).await?;
        limits.admit(&used, 1, now).map_err(AttachmentError::Quota)
    }

    /// A fresh id and storage key for an upload about to start.
    pub fn slot() -> Slot {
        let id = Uuid::new_v4();
        Slot {
            id,
            storage_key: storage_key(id),
        }
    }

    /// Records a fully stored, accepted file as the caller's.
    pub async fn record(
        &self,
        ctx: &Ctx,
        slot: Slot,
        file_name: &str,
        checked: Checked,
    ) -> Result<Attachment, AttachmentError> {
        let attachment = Attachment {
            id: slot.id,
            owner_user_id: ctx.user_id,
            file_name: sanitize(file_name),
            kind: checked.kind,
            size_bytes: checked.size_bytes,
            sha256: checked.sha256,
            storage_key: slot.storage_key,
            created_at: self.clock.now(),
        };
        let since = attachment.created_at - DAY;
        self.repo
            .insert_within_quota(&attachment, since)
            .await?
            .map_err(AttachmentError::Quota)?;
        Ok(attachment)
    }

    /// The attachment if the caller may read it; 404 otherwise.
    pub async fn find(&self, ctx: &Ctx, id: Uuid) -> Result<Attachment, AttachmentError> {
        self.repo
            .find_visible(id, ctx.viewer())
            .await?
            .ok_or(AttachmentError::NotFound)
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
