//! Attachment metadata in SQL. Who may read one is one statement: its owner,
//! or — through `dispute_attachments` — anyone who may see the disputed job
//! (its customer, its provider's user, an LSM of its region, an admin). The
//! job thread's participants are those same people, so "may see the dispute
//! or the thread that references it" needs no second path.

use async_trait::async_trait;
use attachments::Attachment;
use attachments::ContentKind;
use attachments::ports::{AttachmentRepository, AttachmentViewer, SweepCandidate};
use attachments::quota::{UploadLimits, UploadUse};
use kernel::{QuotaExceeded, StoreError, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};
use uuid::Uuid;

use crate::attachment_sweep as sweep;
use crate::error::store_err;
use crate::sql::stmt;

const COLUMNS: &str = "a.id, a.owner_user_id, a.file_name, a.content_type, a.size_bytes, a.sha256, a.storage_key, a.created_at";

/// The owner, or a reader of a dispute the attachment is evidence for.
/// Binds: owner, admin flag, customer, provider user, the LSM's region (from
/// the token; `NULL` matches nothing).
const VISIBLE: &str = "(a.owner_user_id = ? OR EXISTS (\
     SELECT 1 FROM dispute_attachments da \
     JOIN disputes d ON d.id = da.dispute_id \
     JOIN jobs j ON j.id = d.job_id \
     JOIN service_providers sp ON sp.id = j.provider_id \
     WHERE da.attachment_id = a.id AND (? OR j.customer_id = ? OR sp.user_id = ? \
       OR j.region_code = ?)))";

/// Attachment metadata over a connection.
#[derive(Debug, Clone)]
pub struct SqlAttachmentRepository {
    db: DatabaseConnection,
}

impl SqlAttachmentRepository {
    /// A repository over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn parse_row(r: &QueryResult) -> Result<Attachment, StoreError> {
    let mime: String = r.try_get("", "content_type").map_err(store_err)?;
    let size: i64 = r.try_get("", "size_bytes").map_err(store_err)?;
    Ok(Attachment {
        id: r.try_get("", "id").map_err(store_err)?,
        owner_user_id: UserId(r.try_get("", "owner_user_id").map_err(store_err)?),
        file_name: r.try_get("", "file_name").map_err(store_err)?,
        kind: ContentKind::from_mime(&mime)
            .ok_or_else(|| StoreError::backend(format!("unknown content type {mime}")))?,
        size_bytes: u64::try_from(size)
            .map_err(|_| StoreError::backend(format!("negative size {size}")))?,
        sha256: r.try_get("", "sha256").map_err(store_err)?,
        storage_key: r.try_get("", "storage_key").map_err(store_err)?,
        created_at: r.try_get("", "created_at").map_err(store_err)?,
    })
}

#[async_trait]
impl AttachmentRepository for SqlAttachmentRepository {
    async fn insert(&self, a: &Attachment) -> Result<(), StoreError> {
        sweep::insert(&self.db, a).await
    }

    async fn upload_use(
        &self,
        owner: UserId,
        since: Timestamp,
    ) -> Result<(UploadLimits, UploadUse), StoreError> {
        sweep::upload_use(&self.db, owner, since).await
    }

    async fn insert_within_quota(
        &self,
        attachment: &Attachment,
        since: Timestamp,
    ) -> Result<Result<(), QuotaExceeded>, StoreError> {
        sweep::insert_within_quota(&self.db, attachment, since).await
    }

    async fn claim_sweep(&self, slot: Timestamp) -> Result<bool, StoreError> {
        sweep::claim_sweep(&self.db, slot).await
    }

    async fn sweep_candidates(
        &self,
        cutoff: Timestamp,
        limit: u64,
    ) -> Result<Vec<SweepCandidate>, StoreError> {
        sweep::sweep_candidates(&self.db, cutoff, limit).await
    }

    async fn delete_uncited(&self, id: Uuid, cutoff: Timestamp) -> Result<bool, StoreError> {
        sweep::delete_uncited(&self.db, id, cutoff).await
    }

    async fn known_keys(&self, keys: Vec<String>) -> Result<Vec<String>, StoreError> {
        sweep::known_keys(&self.db, keys).await
    }

    async fn find_visible(
        &self,
        id: Uuid,
        viewer: AttachmentViewer,
    ) -> Result<Option<Attachment>, StoreError> {
        let u = viewer.user_id.0;
        let sql = format!("SELECT {COLUMNS} FROM attachments a WHERE a.id = ? AND {VISIBLE}");
        let values = vec![
            id.into(),
            u.into(),
            viewer.is_admin.into(),
            u.into(),
            u.into(),
            viewer.lsm_region.into(),
        ];
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        row.as_ref().map(parse_row).transpose()
    }
}
