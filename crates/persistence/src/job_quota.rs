//! Booking under the open-request quota: the customer's lock, the count, the
//! rule's verdict and the insert in one transaction.

use jobs::ports::{JobRecord, NewJob};
use jobs::{OpenRequestLimits, OpenRequests};
use kernel::{QuotaExceeded, StoreError};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use crate::effects::write_effects;
use crate::entities::jobs as job_rows;
use crate::error::store_err;
use crate::job_repo::load;
use crate::job_write::{insert_events, insert_job};
use crate::quota_read::window_use;
use crate::user_lock::lock_user;

/// The customer's open (`new`) jobs: with `provider`, and in all, each with
/// its earliest response deadline.
async fn open_requests(
    db: &impl ConnectionTrait,
    new: &NewJob,
) -> Result<OpenRequests, StoreError> {
    let open = || {
        job_rows::Entity::find()
            .filter(job_rows::Column::CustomerId.eq(new.job.customer_id.0))
            .filter(job_rows::Column::Status.eq("new"))
    };
    let deadline = job_rows::Column::ResponseDeadline;
    let pair = window_use(
        db,
        open().filter(job_rows::Column::ProviderId.eq(new.job.provider_id.0)),
        deadline,
    )
    .await?;
    let all = window_use(db, open(), deadline).await?;
    Ok(OpenRequests {
        with_provider: pair.used,
        first_deadline_with_provider: pair.oldest,
        in_all: all.used,
        first_deadline_in_all: all.oldest,
    })
}

/// The job, its thread, events and effects, inside `txn`.
pub(crate) async fn insert_new(
    txn: &impl ConnectionTrait,
    new: &NewJob,
) -> Result<JobRecord, StoreError> {
    let id = insert_job(txn, new).await?;
    if let Some(h) = &new.hold {
        crate::job_holds::hold(txn, new.job.provider_id, id, h, new.at).await?;
    }
    insert_events(txn, id, Some(new.job.customer_id), &new.events, new.at).await?;
    let saved = load(txn, id).await?;
    write_effects(txn, &(new.effects_for)(&saved), new.at).await?;
    Ok(saved)
}

/// See [`jobs::ports::JobRepository::create_within_quota`].
pub(crate) async fn create_within_quota(
    db: &DatabaseConnection,
    new: NewJob,
    limits: OpenRequestLimits,
) -> Result<Result<JobRecord, QuotaExceeded>, StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    lock_user(&txn, new.job.customer_id).await?;
    let open = open_requests(&txn, &new).await?;
    if let Err(refused) = limits.admit(&open, new.at) {
        txn.rollback().await.map_err(store_err)?;
        return Ok(Err(refused));
    }
    let saved = insert_new(&txn, &new).await?;
    txn.commit().await.map_err(store_err)?;
    Ok(Ok(saved))
}
