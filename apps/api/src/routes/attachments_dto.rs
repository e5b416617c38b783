//! Wire types of `/attachments`.

use serde::Serialize;
use utoipa::ToSchema;

/// A stored attachment's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    /// Its id: what `POST /jobs/{id}/disputes` takes in `attachment_ids`.
    pub id: uuid::Uuid,
    /// The client's file name, sanitised (no path, no control characters or quotes, ≤ 255 characters).
    pub file_name: String,
    /// The type sniffed from the bytes: `image/png`, `image/jpeg`, `image/webp`, `image/heic` or `application/pdf`.
    pub content_type: String,
    /// Size in bytes (≤ 10 MiB).
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// When it was stored.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<attachments::Attachment> for AttachmentDto {
    fn from(a: attachments::Attachment) -> Self {
        Self {
            id: a.id,
            file_name: a.file_name,
            content_type: a.kind.mime().to_owned(),
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// The upload form: exactly one part, named `file`.
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file (PNG, JPEG, WebP, HEIC or PDF; ≤ 10 MiB). Its declared type and
    /// name do not decide what it is: the bytes do.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}
