//! The search query: live providers of a region actively offering a service,
//! ranked by the confidence-weighted rating, then response rate, then
//! completed jobs, keyset-paginated — one statement
//! whose text never changes, so PostgreSQL keeps its prepared plan.

use async_trait::async_trait;
use kernel::{ProviderId, StoreError};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use supply::ports::{ProviderCard, SearchRepository, SearchSpec};
use supply::ranking::{RankKey, rate_sql, score_sql};

use crate::error::store_err;
use crate::sql::stmt;

/// [`SearchRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlSearchRepository {
    db: DatabaseConnection,
    sql: String,
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
            WHERE p.region_code = ? AND p.status = 'approved' AND p.is_deleted = FALSE
              AND ps.service_id = ? AND ps.is_active = TRUE
        )
        SELECT id, business_name, rating_sum, rating_count, completed_jobs,
               median_response_minutes, response_rate
        FROM ranked
        WHERE score < ? OR (score = ? AND (rate < ? OR (rate = ? AND
              (completed_jobs < ? OR (completed_jobs = ? AND id > ?)))))
        ORDER BY score DESC, rate DESC, completed_jobs DESC, id ASC
        LIMIT ?"
    )
}

impl SqlSearchRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            sql: search_sql(),
        }
    }
}

#[async_trait]
impl SearchRepository for SqlSearchRepository {
    async fn providers(&self, spec: SearchSpec) -> Result<Vec<ProviderCard>, StoreError> {
        // The first page starts above every real key, keeping one statement text.
        let after = spec.after.unwrap_or(RankKey {
            score: i64::MAX,
            response_rate: f64::MAX,
            completed_jobs: i64::MAX,
            neg_id: 0,
        });
        let values = vec![
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
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &self.sql, values))
            .await
            .map_err(store_err)?;
        rows.iter().map(card).collect()
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
