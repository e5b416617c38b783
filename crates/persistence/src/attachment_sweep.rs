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
use sea_orm::sea_query::{Alias, BinOper, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use crate::entities::{
    attachments as attachment_rows, dispute_attachments, service_listings as listings,
};
use crate::error::store_err;
use crate::quota_read::settings;
use crate::user_lock::lock_user;

/// The `dispute_attachments` rows linking the `attachments` row of the
/// outer query: a dispute's evidence, which neither the sweep deletes nor
/// another dispute may cite.
pub(crate) fn dispute_link() -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(dispute_attachments::Entity)
        .and_where(
            Expr::col((
                dispute_attachments::Entity,
                dispute_attachments::Column::AttachmentId,
            ))
            .equals((attachment_rows::Entity, attachment_rows::Column::Id)),
        )
        .to_owned()
}

/// Neither a dispute nor a listing cites the attachment row: no
/// `dispute_attachments` link, and no listing whose `images` (as lower-case
/// text) hold the id, the storage key's tail after `attachments/`.
fn uncited() -> Condition {
    use attachment_rows::Column as A;
    let row = |c: A| Expr::col((attachment_rows::Entity, c));
    let linked = dispute_link();
    let id = Func::cust("SUBSTR").arg(row(A::StorageKey)).arg(13);
    let anywhere = Expr::val("%")
        .binary(BinOper::Custom("||"), id)
        .binary(BinOper::Custom("||"), Expr::val("%"));
    let images = Func::lower(Func::cast_as(
        Expr::col((listings::Entity, listings::Column::Images)),
        Alias::new("TEXT"),
    ));
    let shown = Query::select()
        .expr(Expr::val(1))
        .from(listings::Entity)
        .and_where(Expr::expr(images).binary(BinOper::Like, anywhere))
        .to_owned();
    Condition::all()
        .add(Expr::exists(linked).not())
        .add(Expr::exists(shown).not())
}

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
    use attachment_rows::Column as A;
    let recent =
        |then: Expr| -> Expr { Expr::case(Expr::col(A::CreatedAt).gte(since), then).into() };
    let total = |e: Expr| -> Expr {
        Func::cast_as(
            Func::coalesce([e.sum(), Expr::val(0)]),
            Alias::new("BIGINT"),
        )
        .into()
    };
    let (files, bytes, oldest, stored) = attachment_rows::Entity::find()
        .select_only()
        .column_as(recent(Expr::val(1)).count(), "files")
        .column_as(total(recent(Expr::col(A::SizeBytes))), "bytes")
        .column_as(recent(Expr::col(A::CreatedAt)).min(), "oldest")
        .column_as(total(Expr::col(A::SizeBytes)), "stored")
        .filter(A::OwnerUserId.eq(owner.0))
        .into_tuple::<(i64, i64, Option<Timestamp>, i64)>()
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("a count returned no row"))?;
    let used = UploadUse {
        files: WindowUse {
            used: files,
            oldest,
        },
        bytes: WindowUse {
            used: bytes,
            oldest,
        },
        stored,
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
    crate::run_claim::claim_slot(db, SWEEP_CLAIM_KEY, slot).await
}

/// Old, uncited uploads, oldest first.
pub(crate) async fn sweep_candidates(
    db: &DatabaseConnection,
    cutoff: Timestamp,
    limit: u64,
) -> Result<Vec<SweepCandidate>, StoreError> {
    use attachment_rows::Column as A;
    let rows = attachment_rows::Entity::find()
        .select_only()
        .columns([A::Id, A::StorageKey, A::CreatedAt])
        .filter(A::CreatedAt.lte(cutoff))
        .filter(uncited())
        .order_by_asc(A::CreatedAt)
        .order_by_asc(A::StorageKey)
        .limit(limit)
        .into_tuple::<(Uuid, String, Timestamp)>()
        .all(db)
        .await
        .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|(id, storage_key, created_at)| SweepCandidate {
            id,
            storage_key,
            created_at,
        })
        .collect())
}

/// Deletes the row if still old and uncited. A dispute that links it at the
/// same moment wins: its foreign key refuses the delete (a conflict), which
/// is "kept", not a failure.
pub(crate) async fn delete_uncited(
    db: &DatabaseConnection,
    id: Uuid,
    cutoff: Timestamp,
) -> Result<bool, StoreError> {
    let deleted = attachment_rows::Entity::delete_many()
        .filter(attachment_rows::Column::Id.eq(id))
        .filter(attachment_rows::Column::CreatedAt.lte(cutoff))
        .filter(uncited())
        .exec(db)
        .await
        .map_err(store_err);
    match deleted {
        Ok(done) => Ok(done.rows_affected == 1),
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
