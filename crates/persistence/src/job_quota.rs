//! Booking under the open-request quota: the customer's lock, the count, the
//! rule's verdict and the insert in one transaction.

use jobs::ports::{JobRecord, NewJob};
use jobs::{OpenRequestLimits, OpenRequests};
use kernel::{QuotaExceeded, StoreError, Timestamp};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::effects::write_effects;
use crate::error::store_err;
use crate::job_repo::load;
use crate::job_write::{insert_events, insert_job};
use crate::sql::stmt;
use crate::user_lock::lock_user;

/// The customer's open (`new`) jobs: with `provider`, and in all, each with
/// its earliest response deadline. Binds: provider, provider, customer.
const OPEN_SQL: &str = "SELECT \
     COALESCE(SUM(CASE WHEN provider_id = ? THEN 1 ELSE 0 END), 0) AS pair, \
     MIN(CASE WHEN provider_id = ? THEN response_deadline END) AS pair_first, \
     COUNT(*) AS all_n, MIN(response_deadline) AS all_first \
     FROM jobs WHERE customer_id = ? AND status = 'new'";

async fn open_requests(
    db: &impl ConnectionTrait,
    new: &NewJob,
) -> Result<OpenRequests, StoreError> {
    let provider = new.job.provider_id.0;
    let row = db
        .query_one_raw(stmt(
            db,
            OPEN_SQL,
            vec![
                provider.into(),
                provider.into(),
                new.job.customer_id.0.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("count returned no row"))?;
    Ok(OpenRequests {
        with_provider: row.try_get("", "pair").map_err(store_err)?,
        first_deadline_with_provider: row
            .try_get::<Option<Timestamp>>("", "pair_first")
            .map_err(store_err)?,
        in_all: row.try_get("", "all_n").map_err(store_err)?,
        first_deadline_in_all: row
            .try_get::<Option<Timestamp>>("", "all_first")
            .map_err(store_err)?,
    })
}

/// The job, its thread, events and effects, inside `txn`.
pub(crate) async fn insert_new(
    txn: &impl ConnectionTrait,
    new: &NewJob,
) -> Result<JobRecord, StoreError> {
    let id = insert_job(txn, new).await?;
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
