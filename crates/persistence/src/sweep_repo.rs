//! The platform's reads and writes on jobs outside any use case's unit of
//! work: the overdue jobs the sweep looks at, and the response figures of the daily refresh.

use jobs::ports::JobRecord;
use jobs::{ResponseMetrics, ResponseSample};
use kernel::{ProviderId, StoreError, Timestamp};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use crate::entities::jobs as job_rows;
use crate::error::store_err;
use crate::job_repo::{JobRow, records, select_jobs};

/// `new` jobs past their deadline, unanswered, not yet warned about.
pub(crate) async fn overdue(
    db: &DatabaseConnection,
    now: Timestamp,
    limit: u64,
) -> Result<Vec<JobRecord>, StoreError> {
    let rows = select_jobs()
        .filter(job_rows::Column::Status.eq("new"))
        .filter(job_rows::Column::RespondedAt.is_null())
        .filter(job_rows::Column::DeadlineWarningIssued.eq(false))
        .filter(job_rows::Column::ResponseDeadline.lte(now))
        .order_by_asc(job_rows::Column::ResponseDeadline)
        .order_by_asc(job_rows::Column::Id)
        .limit(limit)
        .into_model::<JobRow>()
        .all(db)
        .await
        .map_err(store_err)?;
    records(rows)
}

/// Every job created since `since`, as the response metrics read it.
pub(crate) async fn response_samples(
    db: &DatabaseConnection,
    since: Timestamp,
) -> Result<Vec<(ProviderId, ResponseSample)>, StoreError> {
    let rows = job_rows::Entity::find()
        .select_only()
        .columns([
            job_rows::Column::ProviderId,
            job_rows::Column::CreatedAt,
            job_rows::Column::RespondedAt,
            job_rows::Column::ResponseDeadline,
        ])
        .filter(job_rows::Column::CreatedAt.gte(since))
        .order_by_asc(job_rows::Column::Id)
        .into_tuple::<(i64, Timestamp, Option<Timestamp>, Timestamp)>()
        .all(db)
        .await
        .map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|(provider, created_at, responded_at, response_deadline)| {
            (
                ProviderId(provider),
                ResponseSample {
                    created_at,
                    responded_at,
                    response_deadline,
                },
            )
        })
        .collect())
}

/// Replaces all providers' response figures in one transaction: those not
/// listed had no job in the window and get none.
pub(crate) async fn write_response_figures(
    db: &DatabaseConnection,
    figures: Vec<(ProviderId, ResponseMetrics)>,
    at: Timestamp,
) -> Result<(), StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    crate::provider_figures::replace_response_figures(&txn, figures, at).await?;
    txn.commit().await.map_err(store_err)
}
