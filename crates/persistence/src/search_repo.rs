//! The search query: live providers of a region actively offering a service,
//! ranked by the confidence-weighted rating, then response rate, then
//! completed jobs, keyset-paginated — one statement
//! whose text never changes, so PostgreSQL keeps its prepared plan. On
//! PostgreSQL the first page's log row rides in the same statement (a
//! data-modifying `WITH`), so a search is one round trip.

use async_trait::async_trait;
use kernel::{ProviderId, StoreError};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Value};
use supply::ports::{ProviderCard, SearchLog, SearchRepository, SearchSpec};
use supply::ranking::{RankKey, rate_sql, score_sql};

use crate::db::Backend;
use crate::error::{connection_lost, store_err};
use crate::sql::stmt;

/// [`SearchRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlSearchRepository {
    db: DatabaseConnection,
    sql: String,
    logged_sql: String,
    /// The same statements keeping only the providers a JSON array of ids
    /// names (a search by availability), bound right after the service.
    only_sql: String,
    logged_only_sql: String,
}

/// The log row of a search. Binds: service, region, zipcode, searcher key,
/// day, instant.
pub(crate) const LOG_SQL: &str = "INSERT INTO service_search_logs \
    (service_id, region, zipcode, searcher_key, searched_on, searched_at) VALUES (?, ?, ?, ?, ?, ?)";

/// The names of the binds of [`LOG_SQL`] then [`search_sql`], in order, for
/// tools that replay the statements (`stm-api sql search`, the benchmark).
pub const LOG_PARAMS: &[&str] = &[
    "service_id",
    "region",
    "zipcode",
    "searcher_key",
    "searched_on",
    "searched_at",
];

/// See [`LOG_PARAMS`].
pub const SEARCH_PARAMS: &[&str] = &[
    "region",
    "service_id",
    "after_score",
    "after_score",
    "after_rate",
    "after_rate",
    "after_completed",
    "after_completed",
    "after_id",
    "limit",
];

/// The statements a first page of search runs on `backend`, each with the
/// names of its binds: one on PostgreSQL, the log then the page on SQLite.
pub fn search_statements(backend: Backend) -> Vec<(String, Vec<&'static str>)> {
    let both = || LOG_PARAMS.iter().chain(SEARCH_PARAMS).copied().collect();
    match backend {
        Backend::Postgres => vec![(logged_search_sql(), both())],
        Backend::Sqlite => vec![
            (LOG_SQL.to_owned(), LOG_PARAMS.to_vec()),
            (search_sql(), SEARCH_PARAMS.to_vec()),
        ],
    }
}

/// [`search_sql`] with the log row written by the same statement
/// (PostgreSQL runs a data-modifying `WITH` exactly once, read or not).
fn logged_search_sql() -> String {
    logged(&search_sql())
}

fn logged(search: &str) -> String {
    format!("WITH logged AS ({LOG_SQL}), {}", &search["WITH ".len()..])
}

/// [`search_sql`] keeping only the providers of a bound JSON array of ids.
fn only_sql(backend: DbBackend) -> String {
    let ids = if backend == DbBackend::Postgres {
        "p.id IN (SELECT CAST(jsonb_array_elements_text(CAST(? AS jsonb)) AS bigint))"
    } else {
        "p.id IN (SELECT value FROM json_each(?))"
    };
    search_sql().replacen(
        "AND ps.service_id = ? AND ps.is_active = TRUE",
        &format!("AND ps.service_id = ? AND ps.is_active = TRUE AND {ids}"),
        1,
    )
}

/// The ranked select over the figures kept on `service_providers` (ratings
/// and completions on write, response figures by the daily refresh): no
/// aggregate per request.
fn search_sql() -> String {
    let score = score_sql("p.rating_sum", "p.rating_count");
    let rate = rate_sql("p.response_rate");
    format!(
        "WITH ranked AS (
            SELECT p.id, p.business_name, p.rating_sum, p.rating_count, p.completed_jobs,
                   p.median_response_minutes, p.response_rate,
                   {score} AS score, {rate} AS rate
            FROM service_providers p
            JOIN provider_services ps ON ps.provider_id = p.id
            WHERE p.region_code = ? AND {live}
              AND ps.service_id = ? AND ps.is_active = TRUE
        )
        SELECT id, business_name, rating_sum, rating_count, completed_jobs,
               median_response_minutes, response_rate
        FROM ranked
        WHERE score < ? OR (score = ? AND (rate < ? OR (rate = ? AND
              (completed_jobs < ? OR (completed_jobs = ? AND id > ?)))))
        ORDER BY score DESC, rate DESC, completed_jobs DESC, id ASC
        LIMIT ?",
        live = crate::liveness::live_provider("p")
    )
}

impl SqlSearchRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        let only = only_sql(db.get_database_backend());
        Self {
            db,
            sql: search_sql(),
            logged_sql: logged_search_sql(),
            logged_only_sql: logged(&only),
            only_sql: only,
        }
    }

    /// Runs a read once more when its connection turned out dead (the pool
    /// pings only idle connections before handing them out; the dead one is
    /// dropped). Only for statements that write nothing.
    async fn query(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<sea_orm::QueryResult>, StoreError> {
        match self
            .db
            .query_all_raw(stmt(&self.db, sql, values.clone()))
            .await
        {
            Err(e) if connection_lost(&e) => self
                .db
                .query_all_raw(stmt(&self.db, sql, values))
                .await
                .map_err(store_err),
            other => other.map_err(store_err),
        }
    }
}

fn log_values(log: SearchLog) -> Vec<Value> {
    vec![
        log.service_id.0.into(),
        log.region.into(),
        log.zipcode.into(),
        log.searcher_key.into(),
        log.day.into(),
        log.at.into(),
    ]
}

#[async_trait]
impl SearchRepository for SqlSearchRepository {
    async fn providers(
        &self,
        spec: SearchSpec,
        log: Option<SearchLog>,
    ) -> Result<Vec<ProviderCard>, StoreError> {
        // The first page starts above every real key, keeping one statement text.
        let after = spec.after.unwrap_or(RankKey {
            score: i64::MAX,
            response_rate: f64::MAX,
            completed_jobs: i64::MAX,
            neg_id: 0,
        });
        let mut values: Vec<Value> = vec![spec.region.into(), spec.service_id.0.into()];
        let (sql, logged_sql) = match &spec.only {
            None => (&self.sql, &self.logged_sql),
            Some(ids) => {
                let ids: Vec<i64> = ids.iter().map(|p| p.0).collect();
                values.push(serde_json::to_string(&ids).unwrap_or_default().into());
                (&self.only_sql, &self.logged_only_sql)
            }
        };
        values.extend([
            after.score.into(),
            after.score.into(),
            after.response_rate.into(),
            after.response_rate.into(),
            after.completed_jobs.into(),
            after.completed_jobs.into(),
            after.neg_id.saturating_neg().into(),
            i64::from(spec.limit).into(),
        ]);
        let rows = match log {
            None => self.query(sql, values).await?,
            Some(log) if self.db.get_database_backend() == DbBackend::Postgres => {
                // Never retried: it writes, and a connection may die after
                // the commit, which a second send would log twice.
                let mut all = log_values(log);
                all.extend(values);
                self.db
                    .query_all_raw(stmt(&self.db, logged_sql, all))
                    .await
                    .map_err(store_err)?
            }
            Some(log) => {
                // SQLite: no data-modifying WITH; the log first, as one
                // connection would send it.
                self.db
                    .execute_raw(stmt(&self.db, LOG_SQL, log_values(log)))
                    .await
                    .map_err(store_err)?;
                self.query(sql, values).await?
            }
        };
        rows.iter().map(card).collect()
    }

    async fn schedules(
        &self,
        service: kernel::ServiceId,
        region: &str,
        from: kernel::Timestamp,
        to: kernel::Timestamp,
    ) -> Result<Vec<supply::ports::CandidateSchedule>, StoreError> {
        crate::schedule_candidates::candidates(&self.db, service, region, from, to).await
    }

    async fn card(&self, provider: ProviderId) -> Result<Option<ProviderCard>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                "SELECT id, business_name, rating_sum, rating_count, completed_jobs, \
                 median_response_minutes, response_rate FROM service_providers WHERE id = ?",
                vec![provider.0.into()],
            ))
            .await
            .map_err(store_err)?;
        row.as_ref().map(card).transpose()
    }
}

/// A card from a row of the figure columns.
fn card(row: &sea_orm::QueryResult) -> Result<ProviderCard, StoreError> {
    let get = |col: &str| row.try_get::<i64>("", col).map_err(store_err);
    Ok(ProviderCard {
        provider_id: ProviderId(get("id")?),
        business_name: row
            .try_get::<String>("", "business_name")
            .map_err(store_err)?,
        rating_sum: get("rating_sum")?,
        rating_count: get("rating_count")?,
        completed_jobs: get("completed_jobs")?,
        response_rate: row
            .try_get::<Option<f64>>("", "response_rate")
            .map_err(store_err)?,
        median_response_minutes: row
            .try_get::<Option<i32>>("", "median_response_minutes")
            .map_err(store_err)?
            .map(i64::from),
    })
}
