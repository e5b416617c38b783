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
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::attachment_sweep as sweep;
use crate::entities::{
    attachments as attachment_rows, dispute_attachments, disputes, jobs as job_rows,
    service_providers as sp,
};
use crate::error::store_err;
use crate::job_repo::visible;

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

fn parse_row(r: attachment_rows::Model) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: r.id,
        owner_user_id: UserId(r.owner_user_id),
        file_name: r.file_name,
        kind: ContentKind::from_mime(&r.content_type).ok_or_else(|| {
            StoreError::backend(format!("unknown content type {}", r.content_type))
        })?,
        size_bytes: u64::try_from(r.size_bytes)
            .map_err(|_| StoreError::backend(format!("negative size {}", r.size_bytes)))?,
        sha256: r.sha256,
        storage_key: r.storage_key,
        created_at: r.created_at,
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
        // A dispute citing it whose job the viewer may see.
        let cited = Query::select()
            .expr(Expr::val(1))
            .from(dispute_attachments::Entity)
            .inner_join(
                disputes::Entity,
                Expr::col((disputes::Entity, disputes::Column::Id)).equals((
                    dispute_attachments::Entity,
                    dispute_attachments::Column::DisputeId,
                )),
            )
            .inner_join(
                job_rows::Entity,
                Expr::col((job_rows::Entity, job_rows::Column::Id))
                    .equals((disputes::Entity, disputes::Column::JobId)),
            )
            .inner_join(
                sp::Entity,
                Expr::col((sp::Entity, sp::Column::Id))
                    .equals((job_rows::Entity, job_rows::Column::ProviderId)),
            )
            .and_where(
                Expr::col((
                    dispute_attachments::Entity,
                    dispute_attachments::Column::AttachmentId,
                ))
                .equals((attachment_rows::Entity, attachment_rows::Column::Id)),
            )
            .cond_where(visible(&viewer))
            .to_owned();
        attachment_rows::Entity::find_by_id(id)
            .filter(
                Condition::any()
                    .add(attachment_rows::Column::OwnerUserId.eq(viewer.user_id.0))
                    .add(Expr::exists(cited)),
            )
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(parse_row)
            .transpose()
    }
}
