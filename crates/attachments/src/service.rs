//! The use cases: record an accepted upload, find one for a reader.

use std::sync::Arc;

use kernel::{Clock, Ctx, Role};
use uuid::Uuid;

use crate::file_name::sanitize;
use crate::intake::Checked;
use crate::model::{Attachment, AttachmentError, storage_key};
use crate::ports::{AttachmentRepository, AttachmentViewer};

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
        self.repo.insert(&attachment).await?;
        Ok(attachment)
    }

    /// The attachment if the caller may read it; 404 otherwise.
    pub async fn find(&self, ctx: &Ctx, id: Uuid) -> Result<Attachment, AttachmentError> {
        let viewer = AttachmentViewer {
            user_id: ctx.user_id,
            is_admin: ctx.has_role(Role::Admin),
        };
        self.repo
            .find_visible(id, viewer)
            .await?
            .ok_or(AttachmentError::NotFound)
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
