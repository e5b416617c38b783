//! The metadata of a stored file and what its operations refuse with.

use kernel::{ErrorKind, Timestamp, UserId};
use uuid::Uuid;

use crate::intake::Refusal;
use crate::sniff::ContentKind;

/// A stored file's metadata (the `attachments` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its id, also the key of its bytes in the store.
    pub id: Uuid,
    /// Who uploaded it.
    pub owner_user_id: UserId,
    /// The sanitised client file name.
    pub file_name: String,
    /// What the bytes are (sniffed).
    pub kind: ContentKind,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Where the bytes are in the object store.
    pub storage_key: String,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// The object-store key of an attachment's bytes: its id under a fixed
/// prefix, so a client's name never reaches a path.
pub fn storage_key(id: Uuid) -> String {
    format!("attachments/{id}")
}

/// An attachment operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// The upload was refused (413 or 415).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Absent, or not the caller's to see (404).
    #[error("not found")]
    NotFound,
    /// An upload quota is reached (429 `quota_exceeded`).
    #[error(transparent)]
    Quota(kernel::QuotaExceeded),
    /// Storage failed (500, or 503 when the database is unreachable).
    #[error(transparent)]
    Store(kernel::StoreError),
    /// Another port failed (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl kernel::Refusal for AttachmentError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Refused(Refusal::TooLarge) => ErrorKind::TooLarge,
            Self::Refused(Refusal::Unsupported) => ErrorKind::UnsupportedMediaType,
            Self::NotFound => ErrorKind::NotFound,
            Self::Quota(_) => ErrorKind::RateLimited,
            Self::Store(e) => e.kind(),
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    fn code(&self) -> kernel::Code {
        match self {
            Self::Refused(Refusal::TooLarge) => kernel::Code::FileTooLarge,
            Self::Refused(Refusal::Unsupported) => kernel::Code::UnsupportedMediaType,
            Self::NotFound => kernel::Code::NotFound,
            Self::Quota(_) => kernel::Code::QuotaExceeded,
            Self::Store(e) => kernel::error::store_code(e),
            Self::Internal(_) => kernel::Code::Internal,
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Quota(q) => Some(q.retry_after_secs),
            _ => None,
        }
    }
}

impl From<kernel::StoreError> for AttachmentError {
    fn from(e: kernel::StoreError) -> Self {
        match e {
            kernel::StoreError::NotFound => Self::NotFound,
            other => Self::Store(other),
        }
    }
}
