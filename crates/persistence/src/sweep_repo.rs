//! The platform's writes on jobs: the deadline warning with the provider's
//! warning count (at most one per customer per day), and the response figures of the daily refresh.

use jobs::ports::{JobChange, JobRecord};
use jobs::warnings::Warning;
use jobs::{ResponseMetrics, ResponseSample};
use kernel::{ProviderId, StoreError, Timestamp};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

use crate::effects::write_effects;
use crate::error::store_err;
use crate::job_repo::{JOB_COLUMNS, load, record};
use crate::job_write::{insert_events, update_job};
use crate::sql::{exec, stmt};

/// `new` jobs past their deadline, unanswered, not yet warned about.
pub(crate) async fn overdue(
    db: &DatabaseConnection,
    now: Timestamp,
    limit: u64,
) -> Result<Vec<JobRecord>, StoreError> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs j JOIN service_providers sp ON sp.id = j.provider_id \
         WHERE j.status = 'new' AND j.responded_at IS NULL AND j.deadline_warning_issued = ? \
         AND j.response_deadline <= ? ORDER BY j.response_deadline, j.id LIMIT ?"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = db
        .query_all_raw(stmt(db, &sql, vec![false.into(), now.into(), limit.into()]))
        .await
        .map_err(store_err)?;
    rows.iter().map(record).collect()
}

/// The missed deadline in one transaction: the job's compare-and-set (a
/// concurrent sweep that already warned makes it [`StoreError::Stale`], as
/// does the once-only `deadline_missed` index), the event, `job.updated`,
/// and — if [`jobs::warnings::counts`] says so under the provider's lock —
/// the counted warning with its e-mail and what it means for review.
pub(crate) async fn miss_deadline(
    db: &DatabaseConnection,
    change: JobChange,
    warning: Warning,
) -> Result<JobRecord, StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    update_job(&txn, &change).await?;
    insert_events(&txn, change.job.id, None, &change.events, change.at).await?;
    // The provider's row lock: concurrent sweeps of its jobs queue here, so
    // the last counted warning read below cannot change until commit.
    exec(
        &txn,
        "UPDATE service_providers SET updated_at = ? WHERE id = ?",
        vec![change.at.into(), change.job.provider_id.0.into()],
    )
    .await?;
    let last = txn
        .query_one_raw(stmt(
            &txn,
            "SELECT MAX(created_at) AS last FROM provider_warnings \
             WHERE provider_id = ? AND customer_id = ?",
            vec![
                change.job.provider_id.0.into(),
                change.job.customer_id.0.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .map(|r| r.try_get::<Option<Timestamp>>("", "last"))
        .transpose()
        .map_err(store_err)?
        .flatten();
    if jobs::warnings::counts(last, change.at) {
        count_warning(&txn, &change, &warning).await?;
    }
    write_effects(&txn, &change.effects, change.at).await?;
    let saved = load(&txn, change.job.id).await?;
    txn.commit().await.map_err(store_err)?;
    Ok(saved)
}

/// A counted warning: its row, the provider's count (atomic; RETURNING gives
/// the count this warning made and the flag as it stands), the review flag
/// if the rule raises it, the provider's e-mail and the managers' notice.
async fn count_warning(
    txn: &DatabaseTransaction,
    change: &JobChange,
    warning: &Warning,
) -> Result<(), StoreError> {
    let job = &change.job;
    exec(
        txn,
        "INSERT INTO provider_warnings (provider_id, customer_id, job_id, created_at) \
         VALUES (?, ?, ?, ?)",
        vec![
            job.provider_id.0.into(),
            job.customer_id.0.into(),
            job.id.into(),
            change.at.into(),
        ],
    )
    .await?;
    let row = txn
        .query_one_raw(stmt(
            txn,
            "UPDATE service_providers SET warnings = warnings + 1 WHERE id = ? \
             RETURNING warnings, under_review",
            vec![job.provider_id.0.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    let warnings: i32 = row.try_get("", "warnings").map_err(store_err)?;
    let under_review: bool = row.try_get("", "under_review").map_err(store_err)?;
    let review =
        jobs::warnings::after_warning(job, i64::from(warnings), under_review, warning.threshold);
    if review.flag {
        exec(
            txn,
            "UPDATE service_providers SET under_review = ? WHERE id = ?",
            vec![true.into(), job.provider_id.0.into()],
        )
        .await?;
    }
    write_effects(txn, &warning.notice, change.at).await?;
    write_effects(txn, &review.effects, change.at).await
}

/// Every job created since `since`, as the response metrics read it.
pub(crate) async fn response_samples(
    db: &DatabaseConnection,
    since: Timestamp,
) -> Result<Vec<(ProviderId, ResponseSample)>, StoreError> {
    let rows = db
        .query_all_raw(stmt(
            db,
            "SELECT provider_id, created_at, responded_at, response_deadline FROM jobs \
             WHERE created_at >= ? ORDER BY id",
            vec![since.into()],
        ))
        .await
        .map_err(store_err)?;
    rows.iter()
        .map(|r| {
            Ok((
                ProviderId(r.try_get("", "provider_id").map_err(store_err)?),
                ResponseSample {
                    created_at: r.try_get("", "created_at").map_err(store_err)?,
                    responded_at: r.try_get("", "responded_at").map_err(store_err)?,
                    response_deadline: r.try_get("", "response_deadline").map_err(store_err)?,
                },
            ))
        })
        .collect()
}

/// Replaces all providers' response figures in one transaction: those not
/// listed had no job in the window and get none.
pub(crate) async fn write_response_figures(
    db: &DatabaseConnection,
    figures: Vec<(ProviderId, ResponseMetrics)>,
    at: Timestamp,
) -> Result<(), StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    exec(
        &txn,
        "UPDATE service_providers SET median_response_minutes = NULL, response_rate = NULL, \
         stats_refreshed_at = ?",
        vec![at.into()],
    )
    .await?;
    for (provider, m) in figures {
        let median = m
            .median_response_minutes
            .map(|v| i32::try_from(v).unwrap_or(i32::MAX));
        exec(
            &txn,
            "UPDATE service_providers SET median_response_minutes = ?, response_rate = ? WHERE id = ?",
            vec![median.into(), m.response_rate.into(), provider.0.into()],
        )
        .await?;
    }
    txn.commit().await.map_err(store_err)
}
