//! The storage ports: attachment metadata, and the object store holding the bytes.

use async_trait::async_trait;
use kernel::{QuotaExceeded, StoreError, Timestamp, UserId};
use uuid::Uuid;

use crate::model::Attachment;
use crate::quota::{UploadLimits, UploadUse};

/// Who is asking to read an attachment: its owner, or whoever may see a
/// dispute it is evidence for (the job's parties, an LSM of the job's region
/// from the token, an admin).
pub type AttachmentViewer = kernel::Viewer;

/// An upload the sweeper may remove: old enough, and cited by no dispute and
/// no listing when it was selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepCandidate {
    /// The attachment.
    pub id: Uuid,
    /// Where its bytes are.
    pub storage_key: String,
    /// When it was uploaded.
    pub created_at: Timestamp,
}

/// Attachment metadata storage. The viewer's scope is in the query.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Records an uploaded file.
    async fn insert(&self, attachment: &Attachment) -> Result<(), StoreError>;

    /// The upload limits in force and what `owner` has uploaded since `since`
    /// and keeps stored.
    async fn upload_use(
        &self,
        owner: UserId,
        since: Timestamp,
    ) -> Result<(UploadLimits, UploadUse), StoreError>;

    /// Records the file if [`UploadLimits::admit`] lets its owner store it:
    /// the owner's lock first, then the count since `since`, the rule, the
    /// insert. A refusal writes nothing and is the inner `Err`.
    async fn insert_within_quota(
        &self,
        attachment: &Attachment,
        since: Timestamp,
    ) -> Result<Result<(), QuotaExceeded>, StoreError>;

    /// The attachment if the viewer owns it, or it is evidence of a dispute
    /// whose job the viewer may see (customer, provider, LSM of the job's
    /// region, admin); `None` otherwise.
    async fn find_visible(
        &self,
        id: Uuid,
        viewer: AttachmentViewer,
    ) -> Result<Option<Attachment>, StoreError>;

    /// Claims the sweep of `slot` for this instance: `true` for exactly one
    /// caller per slot across instances.
    async fn claim_sweep(&self, slot: Timestamp) -> Result<bool, StoreError>;

    /// Uploads created at or before `cutoff` that no dispute cites and no
    /// listing's images name, oldest first, at most `limit`.
    async fn sweep_candidates(
        &self,
        cutoff: Timestamp,
        limit: u64,
    ) -> Result<Vec<SweepCandidate>, StoreError>;

    /// Deletes the row if it is still uncited and created at or before
    /// `cutoff`; `true` when this call deleted it (a dispute or listing that
    /// cited it meanwhile keeps it).
    async fn delete_uncited(&self, id: Uuid, cutoff: Timestamp) -> Result<bool, StoreError>;

    /// Which of `keys` are the storage keys of recorded attachments.
    async fn known_keys(&self, keys: Vec<String>) -> Result<Vec<String>, StoreError>;
}

/// An object in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Its key.
    pub key: String,
    /// When it was last written.
    pub last_modified: Timestamp,
}

/// The object store holding attachment bytes, as the sweeper needs it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Every object under `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<StoredObject>, String>;
    /// Removes `key` (absent is fine).
    async fn delete(&self, key: &str) -> Result<(), String>;
}
