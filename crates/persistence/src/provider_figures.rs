//! The figures a provider row carries for others to read — completed jobs,
//! the rating sum and count, deadline warnings and the review flag, response
//! figures — written here, in supply's store, when a job's rule says so. The
//! job use cases decide; these only add or set what they are given.

use jobs::ResponseMetrics;
use kernel::{ProviderId, StoreError, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::service_providers as sp;
use crate::error::store_err;

/// One more completed job.
pub(crate) async fn count_completed(
    db: &impl ConnectionTrait,
    provider: ProviderId,
) -> Result<(), StoreError> {
    sp::Entity::update_many()
        .col_expr(
            sp::Column::CompletedJobs,
            Expr::col(sp::Column::CompletedJobs).add(1),
        )
        .filter(sp::Column::Id.eq(provider.0))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// One more rating of `stars`.
pub(crate) async fn add_rating(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    stars: i64,
) -> Result<(), StoreError> {
    sp::Entity::update_many()
        .col_expr(
            sp::Column::RatingSum,
            Expr::col(sp::Column::RatingSum).add(stars),
        )
        .col_expr(
            sp::Column::RatingCount,
            Expr::col(sp::Column::RatingCount).add(1),
        )
        .filter(sp::Column::Id.eq(provider.0))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// Takes the provider's row lock (a write to the row) for the rest of the
/// transaction, so that what is read under it cannot change until it ends.
pub(crate) async fn lock(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    at: Timestamp,
) -> Result<(), StoreError> {
    sp::Entity::update_many()
        .col_expr(sp::Column::UpdatedAt, Expr::value(at))
        .filter(sp::Column::Id.eq(provider.0))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// The warning count the rule computed, and the review flag when it raised it.
pub(crate) async fn set_warnings(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    warnings: i64,
    flag: bool,
) -> Result<(), StoreError> {
    let warnings = i32::try_from(warnings)
        .map_err(|_| StoreError::backend("a warning count past the column's range"))?;
    let mut update = sp::Entity::update_many()
        .col_expr(sp::Column::Warnings, Expr::value(warnings))
        .filter(sp::Column::Id.eq(provider.0));
    if flag {
        update = update.col_expr(sp::Column::UnderReview, Expr::value(true));
    }
    update.exec(db).await.map(|_| ()).map_err(store_err)
}

/// Replaces every provider's response figures: those not listed had no job
/// in the window and get none. Inside the caller's transaction.
pub(crate) async fn replace_response_figures(
    db: &impl ConnectionTrait,
    figures: Vec<(ProviderId, ResponseMetrics)>,
    at: Timestamp,
) -> Result<(), StoreError> {
    sp::Entity::update_many()
        .col_expr(
            sp::Column::MedianResponseMinutes,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(sp::Column::ResponseRate, Expr::value(Option::<f64>::None))
        .col_expr(sp::Column::StatsRefreshedAt, Expr::value(at))
        .exec(db)
        .await
        .map_err(store_err)?;
    for (provider, m) in figures {
        let median = m
            .median_response_minutes
            .map(|v| i32::try_from(v).unwrap_or(i32::MAX));
        sp::Entity::update_many()
            .col_expr(sp::Column::MedianResponseMinutes, Expr::value(median))
            .col_expr(sp::Column::ResponseRate, Expr::value(m.response_rate))
            .filter(sp::Column::Id.eq(provider.0))
            .exec(db)
            .await
            .map_err(store_err)?;
    }
    Ok(())
}
