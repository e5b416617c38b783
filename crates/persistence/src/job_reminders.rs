//! Reminders of accepted jobs (issue 19): which are due, and the claim that
//! makes each start reminded once across instances.

use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::{job_reminders, jobs as job_rows};
use crate::error::store_err;
use crate::job_repo::{JobRow, records, select_jobs};

/// Accepted jobs starting in `(from, until]` with no reminder of that start.
pub(crate) async fn due(
    db: &impl ConnectionTrait,
    from: Timestamp,
    until: Timestamp,
    limit: u64,
) -> Result<Vec<jobs::ports::JobRecord>, StoreError> {
    let reminded = Query::select()
        .expr(Expr::val(1))
        .from(job_reminders::Entity)
        .and_where(
            Expr::col((job_reminders::Entity, job_reminders::Column::JobId))
                .equals((job_rows::Entity, job_rows::Column::Id)),
        )
        .and_where(
            Expr::col((job_reminders::Entity, job_reminders::Column::ScheduledAt))
                .equals((job_rows::Entity, job_rows::Column::ScheduledAt)),
        )
        .to_owned();
    let rows = select_jobs()
        .filter(job_rows::Column::Status.eq(jobs::JobStatus::InProgress.as_str()))
        .filter(job_rows::Column::ScheduledAt.gt(from))
        .filter(job_rows::Column::ScheduledAt.lte(until))
        .filter(Expr::exists(reminded).not())
        .order_by_asc(job_rows::Column::ScheduledAt)
        .limit(limit)
        .into_model::<JobRow>()
        .all(db)
        .await
        .map_err(store_err)?;
    records(rows)
}

/// Records the reminder of `job`'s start `start`; false when one exists.
pub(crate) async fn claim(
    db: &impl ConnectionTrait,
    job: i64,
    start: Timestamp,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let inserted = job_reminders::Entity::insert(job_reminders::ActiveModel {
        id: NotSet,
        job_id: Set(job),
        scheduled_at: Set(start),
        created_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            job_reminders::Column::JobId,
            job_reminders::Column::ScheduledAt,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map_err(store_err)?;
    Ok(inserted == 1)
}
