//! The storage port for attachment metadata.

use async_trait::async_trait;
use kernel::{StoreError, UserId};
use uuid::Uuid;

use crate::model::Attachment;

/// Who is asking to read an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentViewer {
    /// The caller.
    pub user_id: UserId,
    /// Admins see every dispute, so every linked attachment.
    pub is_admin: bool,
}

/// Attachment metadata storage. The viewer's scope is in the query.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Records an uploaded file.
    async fn insert(&self, attachment: &Attachment) -> Result<(), StoreError>;

    /// The attachment if the viewer owns it, or it is evidence of a dispute
    /// whose job the viewer may see (customer, provider, LSM of the job's
    /// region, admin); `None` otherwise.
    async fn find_visible(
        &self,
        id: Uuid,
        viewer: AttachmentViewer,
    ) -> Result<Option<Attachment>, StoreError>;
}
