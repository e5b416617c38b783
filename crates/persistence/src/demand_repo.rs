//! Search logs, service requests and regional popularity.

use async_trait::async_trait;
use chrono::Timelike;
use kernel::{Fault, Page, PageRequest, ServiceId, StoreError, Timestamp, UserId};
use sea_orm::sea_query::{Expr, Func, InsertStatement, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use supply::AuditEntry;
use supply::popularity::SearchCount;
use supply::ports::{
    DemandRepository, DigestSend, NewServiceRequest, PendingDemand, PopularityRow, PopularityRun,
    Scope, SearchLog, ServiceRequest,
};

use crate::effects::write_audit;
use crate::entities::{
    regions, service_region_popularity as pop, service_requests, service_search_logs,
};
use crate::error::store_err;
use crate::keyset;
use crate::popularity_sql::{
    counted_sql, counted_table_sql, recompute_from_table_sql, recompute_sql,
};
use crate::run_claim::{claim_slot, lock_run};
use crate::sql::{exec, stmt};

/// [`DemandRepository`] over SeaORM and SQL.
#[derive(Debug, Clone)]
pub struct SqlDemandRepository {
    db: DatabaseConnection,
}

impl SqlDemandRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Microsecond precision, as PostgreSQL stores it, so that a bound instant
/// compares equal to the stored one on both backends.
pub(crate) fn micros(t: Timestamp) -> Timestamp {
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// Sets the admin's override of `service` in one region, or in every region
/// when none is named, creating the rows that do not exist yet.
fn override_rows(
    service: ServiceId,
    region: Option<String>,
    value: Option<bool>,
) -> Result<InsertStatement, StoreError> {
    use pop::Column as P;
    let mut codes = Query::select();
    codes
        .expr(Expr::val(service.0))
        .column(regions::Column::Code)
        .expr(Expr::val(0i64))
        .expr(Expr::val(false))
        .expr(Expr::val(value))
        .from(regions::Entity);
    // Always a WHERE: SQLite reads `FROM regions ON CONFLICT` as a join's ON.
    codes.and_where(match region {
        Some(code) => regions::Column::Code.eq(code),
        None => Expr::val(true),
    });
    let mut insert = Query::insert();
    insert
        .into_table(pop::Entity)
        .columns([
            P::ServiceId,
            P::RegionCode,
            P::SearchCount,
            P::IsPopular,
            P::AdminOverride,
        ])
        .select_from(codes)
        .map_err(|e| StoreError::Backend(Fault::new(e)))?
        .on_conflict(
            OnConflict::columns([P::ServiceId, P::RegionCode])
                .update_column(P::AdminOverride)
                .to_owned(),
        );
    Ok(insert)
}

/// The `platform_settings` row every popularity run takes first (the scheduled
/// job's claim row), so two runs never interleave.
const POPULARITY_LOCK: &str = "job:popularity";

/// The aggregate upsert and the reset of rows outside the window, inside `txn`.
async fn recompute_in(txn: &DatabaseTransaction, run: PopularityRun) -> Result<u64, StoreError> {
    let now = micros(run.now);
    let written = if txn.get_database_backend() == DbBackend::Postgres {
        // Counted in parallel into a transaction-local table, then upserted.
        let at = |t: Timestamp| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        txn.execute_unprepared(&counted_table_sql(&at(run.from), &at(run.to)))
            .await
            .map_err(store_err)?;
        exec(
            txn,
            &recompute_from_table_sql(),
            vec![
                run.from.into(),
                run.to.into(),
                run.top_k.into(),
                run.min_searches.into(),
                now.into(),
            ],
        )
        .await?
    } else {
        exec(
            txn,
            &recompute_sql(),
            vec![
                run.from.into(),
                run.to.into(),
                run.top_k.into(),
                run.min_searches.into(),
                now.into(),
                run.from.into(),
                run.to.into(),
            ],
        )
        .await?
    };
    // Rows this run did not write fall back to zero for the same window.
    use pop::Column as P;
    pop::Entity::update_many()
        .col_expr(P::SearchCount, Expr::value(0i64))
        .col_expr(P::IsPopular, Expr::value(false))
        .col_expr(P::WindowStart, Expr::value(run.from))
        .col_expr(P::WindowEnd, Expr::value(run.to))
        .col_expr(P::ComputedAt, Expr::value(now))
        .filter(
            Condition::any()
                .add(P::ComputedAt.is_null())
                .add(P::ComputedAt.ne(now)),
        )
        .exec(txn)
        .await
        .map_err(store_err)?;
    Ok(written)
}

fn to_request(r: service_requests::Model) -> ServiceRequest {
    ServiceRequest {
        id: r.id,
        keyword: r.keyword,
        zipcode: r.zipcode,
        region: r.region,
        customer_id: r.customer_id.map(UserId),
        email_sent: r.email_sent,
        reviewed: r.reviewed,
        reviewed_by: r.reviewed_by.map(UserId),
        reviewed_at: r.reviewed_at,
        created_at: r.created_at,
    }
}

#[async_trait]
impl DemandRepository for SqlDemandRepository {
    async fn log_search(&self, log: SearchLog) -> Result<(), StoreError> {
        service_search_logs::Entity::insert(service_search_logs::ActiveModel {
            id: NotSet,
            service_id: Set(log.service_id.0),
            region: Set(log.region),
            zipcode: Set(log.zipcode),
            searched_at: Set(log.at),
            searcher_key: Set(log.searcher_key),
            searched_on: Set(log.day),
        })
        .exec_without_returning(&self.db)
        .await
        .map_err(store_err)?;
        Ok(())
    }

    async fn record_request(&self, request: NewServiceRequest) -> Result<i64, StoreError> {
        let row = service_requests::ActiveModel {
            id: NotSet,
            keyword: Set(request.keyword),
            zipcode: Set(request.zipcode),
            region: Set(request.region),
            customer_id: Set(request.customer_id.map(|c| c.0)),
            email_sent: Set(false),
            reviewed: Set(false),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            created_at: Set(request.at),
        }
        .insert(&self.db)
        .await
        .map_err(store_err)?;
        Ok(row.id)
    }

    async fn pending_demand(
        &self,
        cutoff: Timestamp,
        top: u32,
    ) -> Result<Vec<PendingDemand>, StoreError> {
        crate::digest_repo::pending_demand(&self.db, cutoff, top).await
    }

    async fn send_digest(&self, digest: DigestSend) -> Result<bool, StoreError> {
        crate::digest_repo::send_digest(&self.db, digest).await
    }

    async fn search_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SearchCount>, StoreError> {
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &counted_sql(), vec![from.into(), to.into()]))
            .await
            .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(SearchCount {
                    service_id: ServiceId(r.try_get("", "service_id").map_err(store_err)?),
                    region: r.try_get("", "region").map_err(store_err)?,
                    count: r.try_get("", "n").map_err(store_err)?,
                    offered: r.try_get::<i32>("", "offered").map_err(store_err)? == 1,
                })
            })
            .collect()
    }

    async fn recompute_popularity(&self, run: PopularityRun) -> Result<u64, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        // Take the job's row first: a manual run and the scheduled one serialise
        // here instead of deadlocking on the popularity rows.
        lock_run(&txn, POPULARITY_LOCK).await?;
        let written = recompute_in(&txn, run).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(written)
    }

    async fn recompute_for_slot(
        &self,
        job: &str,
        slot: Timestamp,
        run: PopularityRun,
    ) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        // The claim is the first write: it takes the job's row (and SQLite's write lock).
        if !claim_slot(&txn, &format!("job:{job}"), slot).await? {
            txn.rollback().await.map_err(store_err)?;
            return Ok(None);
        }
        let written = recompute_in(&txn, run).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(Some(written))
    }

    async fn popularity(&self, region: String) -> Result<Vec<PopularityRow>, StoreError> {
        let rows = pop::Entity::find()
            .filter(pop::Column::RegionCode.eq(region))
            .order_by_desc(pop::Column::SearchCount)
            .order_by_asc(pop::Column::ServiceId)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|r| PopularityRow {
                service_id: ServiceId(r.service_id),
                region_code: r.region_code,
                search_count: r.search_count,
                computed: r.is_popular,
                admin_override: r.admin_override,
                window_end: r.window_end,
            })
            .collect())
    }

    async fn set_override(
        &self,
        service: ServiceId,
        region: Option<String>,
        value: Option<bool>,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let rows = txn
            .execute(&override_rows(service, region, value)?)
            .await
            .map_err(store_err)?
            .rows_affected();
        write_audit(&txn, &audit, now).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(rows)
    }

    async fn requests(
        &self,
        region: String,
        since: Timestamp,
        reviewed: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<ServiceRequest>, StoreError> {
        let before: Option<i64> = keyset::after(page)?;
        let mut query = service_requests::Entity::find()
            .filter(service_requests::Column::Region.eq(region))
            .filter(service_requests::Column::CreatedAt.gte(since));
        if let Some(before) = before {
            query = query.filter(service_requests::Column::Id.lt(before));
        }
        if let Some(flag) = reviewed {
            query = query.filter(service_requests::Column::Reviewed.eq(flag));
        }
        let rows = query
            .order_by_desc(service_requests::Column::Id)
            .limit(keyset::fetch(page))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(keyset::page_of(rows, page, |r| r.id).map(to_request))
    }

    async fn top_missing(
        &self,
        region: String,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let n = Expr::from(Func::count(Expr::col(service_requests::Column::Id)));
        service_requests::Entity::find()
            .select_only()
            .column(service_requests::Column::Keyword)
            .column_as(n.clone(), "n")
            .filter(service_requests::Column::Region.eq(region))
            .filter(service_requests::Column::CreatedAt.gte(since))
            .group_by(service_requests::Column::Keyword)
            .order_by_desc(n)
            .order_by_asc(service_requests::Column::Keyword)
            .limit(u64::from(limit))
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await
            .map_err(store_err)
    }

    async fn review_request(
        &self,
        scope: Scope,
        id: i64,
        by: UserId,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<ServiceRequest, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let mut update = service_requests::Entity::update_many()
            .col_expr(service_requests::Column::Reviewed, Expr::value(true))
            .col_expr(service_requests::Column::ReviewedBy, Expr::value(by.0))
            .col_expr(service_requests::Column::ReviewedAt, Expr::value(at))
            .filter(service_requests::Column::Id.eq(id));
        if let Scope::Region(code) = scope {
            update = update.filter(service_requests::Column::Region.eq(code));
        }
        let updated = update.exec(&txn).await.map_err(store_err)?;
        if updated.rows_affected != 1 {
            return Err(StoreError::NotFound);
        }
        write_audit(&txn, &audit, at).await?;
        let row = service_requests::Entity::find_by_id(id)
            .one(&txn)
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        txn.commit().await.map_err(store_err)?;
        Ok(to_request(row))
    }
}
