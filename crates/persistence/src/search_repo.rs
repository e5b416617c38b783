//! The search query: live providers of a region actively offering a service,
//! ranked by the confidence-weighted rating, then response rate, then
//! completed jobs, keyset-paginated — one statement
//! whose text never changes, so PostgreSQL keeps its prepared plan. On
//! PostgreSQL the first page's log row rides in the same statement (a
//! data-modifying `WITH`), so a search is one round trip.

use async_trait::async_trait;
use kernel::Timestamp;
use kernel::{ProviderId, StoreError};
use scheduling::TimingDefaults;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Value};
use supply::ports::{ProviderCard, RankedHours, SearchLog, SearchRepository, SearchSpec};
use supply::ranking::{RankKey, rate_sql, score_sql};

use crate::db::Backend;
use crate::error::{connection_lost, store_err};
use crate::search_hours::{candidate_hours, hours_sql, timing_defaults};
use crate::sql::stmt;

/// [`SearchRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlSearchRepository {
    db: DatabaseConnection,
    sql: String,
    logged_sql: String,
    /// The same statements with each provider's hours (a search by
    /// availability): see [`hours_sql`].
    hours_sql: String,
    logged_hours_sql: String,
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

/// The columns of a card's cancellation policy, from `provider_schedules s`.
pub(crate) const POLICY_COLUMNS: &str =
    "s.cancellation_policy, s.cancellation_window_hours, s.cancellation_fee_bps";

/// The ranked select over the figures kept on `service_providers` (ratings
/// and completions on write, response figures by the daily refresh): no
/// aggregate per request. The page's policies are joined after its `LIMIT`,
/// so only the page's rows (at most a page size) are looked up.
pub(crate) fn search_sql() -> String {
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
        ),
        page AS (
            SELECT * FROM ranked
            WHERE score < ? OR (score = ? AND (rate < ? OR (rate = ? AND
                  (completed_jobs < ? OR (completed_jobs = ? AND id > ?)))))
            ORDER BY score DESC, rate DESC, completed_jobs DESC, id ASC
            LIMIT ?
        )
        SELECT g.id, g.business_name, g.rating_sum, g.rating_count, g.completed_jobs,
               g.median_response_minutes, g.response_rate, {policy}
        FROM page g
        LEFT JOIN provider_schedules s ON s.provider_id = g.id
        ORDER BY g.score DESC, g.rate DESC, g.completed_jobs DESC, g.id ASC",
        live = crate::liveness::live_provider("p"),
        policy = POLICY_COLUMNS,
    )
}

impl SqlSearchRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        let hours = hours_sql(db.get_database_backend());
        Self {
            db,
            sql: search_sql(),
            logged_sql: logged_search_sql(),
            logged_hours_sql: logged(&hours),
            hours_sql: hours,
        }
    }

    /// The rows of one page of `sql` (or `logged_sql` with its log row):
    /// the ranking's binds, then `extra`.
    async fn page(
        &self,
        sql: &str,
        logged_sql: &str,
        spec: SearchSpec,
        extra: Vec<Value>,
        log: Option<SearchLog>,
    ) -> Result<Vec<sea_orm::QueryResult>, StoreError> {
        // The first page starts above every real key, keeping one statement text.
        let after = spec.after.unwrap_or(RankKey {
            score: i64::MAX,
            response_rate: f64::MAX,
            completed_jobs: i64::MAX,
            neg_id: 0,
        });
        let mut values: Vec<Value> = vec![
            spec.region.into(),
            spec.service_id.0.into(),
            after.score.into(),
            after.score.into(),
            after.response_rate.into(),
            after.response_rate.into(),
            after.completed_jobs.into(),
            after.completed_jobs.into(),
            after.neg_id.saturating_neg().into(),
            i64::from(spec.limit).into(),
        ];
        values.extend(extra);
        match log {
            None => self.query(sql, values).await,
            Some(log) if self.db.get_database_backend() == DbBackend::Postgres => {
                // Never retried: it writes, and a connection may die after
                // the commit, which a second send would log twice.
                let mut all = log_values(log);
                all.extend(values);
                self.db
                    .query_all_raw(stmt(&self.db, logged_sql, all))
                    .await
                    .map_err(store_err)
            }
            Some(log) => {
                // SQLite: no data-modifying WITH; the log first, as one
                // connection would send it.
                self.db
                    .execute_raw(stmt(&self.db, LOG_SQL, log_values(log)))
                    .await
                    .map_err(store_err)?;
                self.query(sql, values).await
            }
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
        let rows = self
            .page(&self.sql, &self.logged_sql, spec, Vec::new(), log)
            .await?;
        rows.iter().map(card).collect()
    }

    async fn with_hours(
        &self,
        spec: SearchSpec,
        (from, to): (Timestamp, Timestamp),
        log: Option<SearchLog>,
    ) -> Result<RankedHours, StoreError> {
        let service = spec.service_id.0;
        let extra = vec![
            to.into(),
            from.into(),
            to.into(),
            from.into(),
            service.into(),
        ];
        let rows = self
            .page(&self.hours_sql, &self.logged_hours_sql, spec, extra, log)
            .await?;
        let defaults = match rows.first() {
            Some(row) => timing_defaults(row)?,
            None => TimingDefaults::default(),
        };
        let candidates = rows
            .iter()
            .map(candidate_hours)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RankedHours {
            candidates,
            defaults,
        })
    }

    async fn card(&self, provider: ProviderId) -> Result<Option<ProviderCard>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                &format!(
                    "SELECT p.id, p.business_name, p.rating_sum, p.rating_count, \
                     p.completed_jobs, p.median_response_minutes, p.response_rate, \
                     {POLICY_COLUMNS} FROM service_providers p \
                     LEFT JOIN provider_schedules s ON s.provider_id = p.id WHERE p.id = ?"
                ),
                vec![provider.0.into()],
            ))
            .await
            .map_err(store_err)?;
        row.as_ref().map(card).transpose()
    }
}

/// A card from a row of the figure columns.
pub(crate) fn card(row: &sea_orm::QueryResult) -> Result<ProviderCard, StoreError> {
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
        // A provider that never chose one has the default.
        cancellation_policy: crate::schedule_read::parse_policy(
            row.try_get::<Option<String>>("", "cancellation_policy")
                .map_err(store_err)?
                .as_deref(),
            row.try_get::<Option<i32>>("", "cancellation_window_hours")
                .map_err(store_err)?,
            row.try_get::<Option<i32>>("", "cancellation_fee_bps")
                .map_err(store_err)?,
        )
        .unwrap_or_default(),
    })
}
