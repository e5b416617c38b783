//! Attachment metadata in SQL. Who may read one is one statement: its owner,
//! or — through `dispute_attachments` — anyone who may see the disputed job
//! (its customer, its provider's user, an LSM of its region, an admin). The
//! job thread's participants are those same people, so "may see the dispute
//! or the thread that references it" needs no second path.

use async_trait::async_trait;
use attachments::Attachment;
use attachments::ContentKind;
use attachments::ports::{AttachmentRepository, AttachmentViewer};
use kernel::{StoreError, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};
use uuid::Uuid;

use crate::error::store_err;
use crate::sql::{exec, stmt};

const COLUMNS: &str = "a.id, a.owner_user_id, a.file_name, a.content_type, a.size_bytes, a.sha256, a.storage_key, a.created_at";

/// The owner, or a reader of a dispute the attachment is evidence for.
/// Binds: owner, admin flag, customer, provider user, LSM user.
const VISIBLE: &str = "(a.owner_user_id = ? OR EXISTS (\
     SELECT 1 FROM dispute_attachments da \
     JOIN disputes d ON d.id = da.dispute_id \
     JOIN jobs j ON j.id = d.job_id \
     JOIN service_providers sp ON sp.id = j.provider_id \
     WHERE da.attachment_id = a.id AND (? OR j.customer_id = ? OR sp.user_id = ? \
       OR EXISTS (SELECT 1 FROM local_service_managers l WHERE l.user_id = ? AND l.region_code = j.region_code))))";

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
            .ok_or_else(|| StoreError::Backend(format!("unknown content type {mime}")))?,
        size_bytes: u64::try_from(size)
            .map_err(|_| StoreError::Backend(format!("negative size {size}")))?,
        sha256: r.try_get("", "sha256").map_err(store_err)?,
        storage_key: r.try_get("", "storage_key").map_err(store_err)?,
        created_at: r.try_get("", "created_at").map_err(store_err)?,
    })
}

#[async_trait]
impl AttachmentRepository for SqlAttachmentRepository {
    async fn insert(&self, a: &Attachment) -> Result<(), StoreError> {
        let size = i64::try_from(a.size_bytes)
            .map_err(|_| StoreError::Backend(format!("size {} out of range", a.size_bytes)))?;
        exec(
            &self.db,
            "INSERT INTO attachments (id, owner_user_id, file_name, content_type, size_bytes, sha256, \
             storage_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                a.id.into(),
                a.owner_user_id.0.into(),
                a.file_name.clone().into(),
                a.kind.mime().into(),
                size.into(),
                a.sha256.clone().into(),
                a.storage_key.clone().into(),
                a.created_at.into(),
            ],
        )
        .await?;
        Ok(())
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
            u.into(),
        ];
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        row.as_ref().map(parse_row).transpose()
    }
}
