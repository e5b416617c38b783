//! Attachment quotas and the sweeper's reads and deletes.
//!
//! An upload is cited when `dispute_attachments` links it or when a listing's
//! `images` names its id (docs/marketplace.md: images are URLs or attachment
//! ids; the id is the key's tail, `attachments/<uuid>`).

use attachments::Attachment;
use attachments::ports::SweepCandidate;
use attachments::quota::{UploadLimits, UploadUse};
use kernel::{QuotaExceeded, StoreError, Timestamp, UserId, WindowUse};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use crate::entities::attachments as attachment_rows;
use crate::error::store_err;
use crate::quota_read::settings;
use crate::sql::{exec, stmt};
use crate::user_lock::lock_user;

/// Neither a dispute nor a listing cites the attachment row `attachments`.
const UNCITED: &str = "NOT EXISTS (SELECT 1 FROM dispute_attachments da \
       WHERE da.attachment_id = attachments.id) \
     AND NOT EXISTS (SELECT 1 FROM service_listings l \
       WHERE LOWER(CAST(l.images AS TEXT)) LIKE '%' || SUBSTR(attachments.storage_key, 13) || '%')";

/// The owner's uploads since a time and in all. Binds: since ×3, owner.
const USE_SQL: &str = "SELECT \
     COUNT(CASE WHEN created_at >= ? THEN 1 END) AS files, \
     CAST(COALESCE(SUM(CASE WHEN created_at >= ? THEN size_bytes END), 0) AS BIGINT) AS bytes, \
     MIN(CASE WHEN created_at >= ? THEN created_at END) AS oldest, \
     CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) AS stored \
     FROM attachments WHERE owner_user_id = ?";

/// The sweep's claim row in `platform_settings` (the popularity run's scheme).
const SWEEP_CLAIM_KEY: &str = "job:upload_sweep";

/// The limits in force and the owner's use.
pub(crate) async fn upload_use(
    db: &impl ConnectionTrait,
    owner: UserId,
    since: Timestamp,
) -> Result<(UploadLimits, UploadUse), StoreError> {
    let s = settings(db).await?;
    let limits = UploadLimits {
        files_per_day: s.upload_files_per_day(),
        bytes_per_day: s.upload_bytes_per_day(),
        bytes_stored: s.upload_bytes_stored(),
    };
    let row = db
        .query_one_raw(stmt(
            db,
            USE_SQL,
            vec![since.into(), since.into(), since.into(), owner.0.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("a count returned no row"))?;
    let oldest: Option<Timestamp> = row.try_get("", "oldest").map_err(store_err)?;
    let used = UploadUse {
        files: WindowUse {
            used: row.try_get("", "files").map_err(store_err)?,
            oldest,
        },
        bytes: WindowUse {
            used: row.try_get("", "bytes").map_err(store_err)?,
            oldest,
        },
        stored: row.try_get("", "stored").map_err(store_err)?,
    };
    Ok((limits, used))
}

/// Inserts the row.
pub(crate) async fn insert(db: &impl ConnectionTrait, a: &Attachment) -> Result<(), StoreError> {
    let row = attachment_rows::ActiveModel {
        id: Set(a.id),
        owner_user_id: Set(a.owner_user_id.0),
        file_name: Set(a.file_name.clone()),
        content_type: Set(a.kind.mime().into()),
        size_bytes: Set(size(a)?),
        sha256: Set(a.sha256.clone()),
        storage_key: Set(a.storage_key.clone()),
        created_at: Set(a.created_at),
    };
    attachment_rows::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

fn size(a: &Attachment) -> Result<i64, StoreError> {
    i64::try_from(a.size_bytes)
        .map_err(|_| StoreError::backend(format!("size {} out of range", a.size_bytes)))
}

/// See [`attachments::ports::AttachmentRepository::insert_within_quota`].
pub(crate) async fn insert_within_quota(
    db: &DatabaseConnection,
    a: &Attachment,
    since: Timestamp,
) -> Result<Result<(), QuotaExceeded>, StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    lock_user(&txn, a.owner_user_id).await?;
    let (limits, used) = upload_use(&txn, a.owner_user_id, since).await?;
    if let Err(refused) = limits.admit(&used, size(a)?, a.created_at) {
        txn.rollback().await.map_err(store_err)?;
        return Ok(Err(refused));
    }
    insert(&txn, a).await?;
    txn.commit().await.map_err(store_err)?;
    Ok(Ok(()))
}

/// Claims the sweep of `slot`: one winner per slot across instances.
pub(crate) async fn claim_sweep(
    db: &DatabaseConnection,
    slot: Timestamp,
) -> Result<bool, StoreError> {
    let value = crate::sql::json_value(serde_json::json!({"slot": slot.to_rfc3339()}));
    let claimed = exec(
        db,
        crate::demand_repo::CLAIM_SQL,
        vec![
            SWEEP_CLAIM_KEY.into(),
            value,
            crate::demand_repo::micros(slot).into(),
        ],
    )
    .await?;
    Ok(claimed == 1)
}

/// Old, uncited uploads, oldest first.
pub(crate) async fn sweep_candidates(
    db: &DatabaseConnection,
    cutoff: Timestamp,
    limit: u64,
) -> Result<Vec<SweepCandidate>, StoreError> {
    let sql = format!(
        "SELECT id, storage_key, created_at FROM attachments \
         WHERE created_at <= ? AND {UNCITED} ORDER BY created_at, storage_key LIMIT ?"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = db
        .query_all_raw(stmt(db, &sql, vec![cutoff.into(), limit.into()]))
        .await
        .map_err(store_err)?;
    rows.iter()
        .map(|r| {
            Ok(SweepCandidate {
                id: r.try_get("", "id").map_err(store_err)?,
                storage_key: r.try_get("", "storage_key").map_err(store_err)?,
                created_at: r.try_get("", "created_at").map_err(store_err)?,
            })
        })
        .collect()
}

/// Deletes the row if still old and uncited. A dispute that links it at the
/// same moment wins: its foreign key refuses the delete (a conflict), which
/// is "kept", not a failure.
pub(crate) async fn delete_uncited(
    db: &DatabaseConnection,
    id: Uuid,
    cutoff: Timestamp,
) -> Result<bool, StoreError> {
    let sql = format!("DELETE FROM attachments WHERE id = ? AND created_at <= ? AND {UNCITED}");
    match exec(db, &sql, vec![id.into(), cutoff.into()]).await {
        Ok(n) => Ok(n == 1),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Which of `keys` have a row.
pub(crate) async fn known_keys(
    db: &DatabaseConnection,
    keys: Vec<String>,
) -> Result<Vec<String>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    attachment_rows::Entity::find()
        .select_only()
        .column(attachment_rows::Column::StorageKey)
        .filter(attachment_rows::Column::StorageKey.is_in(keys))
        .into_tuple::<String>()
        .all(db)
        .await
        .map_err(store_err)
}
