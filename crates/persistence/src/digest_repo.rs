//! The missing-service digest's SQL: what is pending per region, and the
//! claim-mark-write transaction that sends one region's digest.

use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, TransactionTrait,
};
use supply::ports::{DigestSend, PendingDemand};

use crate::effects::write_message;
use crate::entities::{local_service_managers as lsm, regions, service_requests, users};
use crate::error::store_err;

/// What each due region has pending, with its `top` keywords.
pub(crate) async fn pending_demand(
    db: &DatabaseConnection,
    cutoff: Timestamp,
    top: u32,
) -> Result<Vec<PendingDemand>, StoreError> {
    use service_requests::Column as R;
    // An active LSM manages the region.
    let managed = Query::select()
        .expr(Expr::val(1))
        .from(lsm::Entity)
        .inner_join(
            users::Entity,
            Expr::col((users::Entity, users::Column::Id))
                .equals((lsm::Entity, lsm::Column::UserId)),
        )
        .and_where(
            Expr::col((lsm::Entity, lsm::Column::RegionCode))
                .equals((regions::Entity, regions::Column::Code)),
        )
        .and_where(users::Column::Status.eq("active"))
        .to_owned();
    let to_region: RelationDef = service_requests::Entity::belongs_to(regions::Entity)
        .from(R::Region)
        .to(regions::Column::Code)
        .into();
    let due = Condition::any()
        .add(regions::Column::DemandDigestSentAt.is_null())
        .add(regions::Column::DemandDigestSentAt.lte(cutoff));
    let rows = service_requests::Entity::find()
        .select_only()
        .column(R::Region)
        .column_as(R::Id.count(), "n")
        .column_as(
            Expr::col((service_requests::Entity, R::Keyword)).count_distinct(),
            "k",
        )
        .column_as(R::Id.max(), "up_to")
        .join(JoinType::InnerJoin, to_region)
        .filter(R::EmailSent.eq(false))
        .filter(due)
        .filter(Expr::exists(managed))
        .group_by(R::Region)
        .order_by_asc(R::Region)
        .into_tuple::<(String, i64, i64, i64)>()
        .all(db)
        .await
        .map_err(store_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for (region, requests, keywords, up_to_id) in rows {
        let n = Expr::from(Func::count(Expr::col((service_requests::Entity, R::Id))));
        let top_keywords = service_requests::Entity::find()
            .select_only()
            .column(R::Keyword)
            .column_as(n.clone(), "n")
            .filter(R::Region.eq(region.as_str()))
            .filter(R::EmailSent.eq(false))
            .filter(R::Id.lte(up_to_id))
            .group_by(R::Keyword)
            .order_by_desc(n)
            .order_by_asc(R::Keyword)
            .limit(u64::from(top))
            .into_tuple::<(String, i64)>()
            .all(db)
            .await
            .map_err(store_err)?;
        out.push(PendingDemand {
            region,
            requests,
            keywords,
            up_to_id,
            top_keywords,
        });
    }
    Ok(out)
}

/// Claims, marks and writes in one transaction; `false` (nothing written)
/// when the claim is lost or the requests are not those counted.
pub(crate) async fn send_digest(
    db: &DatabaseConnection,
    digest: DigestSend,
) -> Result<bool, StoreError> {
    let txn = db.begin().await.map_err(store_err)?;
    // The claim is the first write: it takes the region's row lock (PostgreSQL)
    // or the write lock (SQLite), so a racing run re-reads the new claim and loses.
    let claimed =
        crate::catalog_repo::claim_digest(&txn, &digest.region, digest.now, digest.cutoff).await?;
    if !claimed {
        txn.rollback().await.map_err(store_err)?;
        return Ok(false);
    }
    // A request committed late below `up_to_id` (or sent meanwhile) changes
    // the count: the message would misstate it, so the next tick recounts.
    let marked = service_requests::Entity::update_many()
        .col_expr(service_requests::Column::EmailSent, Expr::value(true))
        .filter(service_requests::Column::Region.eq(digest.region.as_str()))
        .filter(service_requests::Column::EmailSent.eq(false))
        .filter(service_requests::Column::Id.lte(digest.up_to_id))
        .exec(&txn)
        .await
        .map_err(store_err)?
        .rows_affected;
    if i64::try_from(marked).ok() != Some(digest.requests) {
        txn.rollback().await.map_err(store_err)?;
        return Ok(false);
    }
    write_message(&txn, &digest.message, digest.now).await?;
    txn.commit().await.map_err(store_err)?;
    Ok(true)
}
