//! The platform's reads and writes on jobs outside any use case's unit of
//! work: the overdue jobs the sweep looks at, and the response figures of the daily refresh.

use jobs::ports::JobRecord;
use jobs::{ResponseMetrics, ResponseSample};
use kernel::{ProviderId, StoreError, Timestamp};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::error::store_err;
use crate::job_repo::{JOB_COLUMNS, record};
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
