//! The search query: live providers of a region actively offering a service,
//! ranked by the confidence-weighted rating, keyset-paginated — one statement
//! whose text never changes, so PostgreSQL keeps its prepared plan.

use async_trait::async_trait;
use kernel::{ProviderId, StoreError};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use supply::ports::{ProviderCard, SearchRepository, SearchSpec};
use supply::ranking::{RankKey, score_sql};

use crate::error::store_err;
use crate::sql::stmt;

/// [`SearchRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlSearchRepository {
    db: DatabaseConnection,
    sql: String,
}

/// Days of jobs the response rate looks at.
const RESPONSE_WINDOW_DAYS: i64 = 90;

fn search_sql() -> String {
    let score = score_sql("COALESCE(r.s, 0)", "COALESCE(r.n, 0)");
    format!(
        "WITH c AS (
            SELECT p.id, p.business_name FROM service_providers p
            JOIN provider_services ps ON ps.provider_id = p.id
            WHERE p.region_code = ? AND p.status = 'approved' AND p.is_deleted = FALSE
              AND ps.service_id = ? AND ps.is_active = TRUE
        ),
        r AS (
            SELECT f.provider_id, SUM(f.rating) AS s, COUNT(*) AS n
            FROM ratings_feedback f JOIN c ON c.id = f.provider_id GROUP BY f.provider_id
        ),
        j AS (
            SELECT jb.provider_id,
                   SUM(CASE WHEN jb.status IN ('completed', 'paid') THEN 1 ELSE 0 END) AS done,
                   SUM(CASE WHEN jb.created_at >= ? THEN 1 ELSE 0 END) AS recent,
                   SUM(CASE WHEN jb.created_at >= ? AND jb.responded_at IS NOT NULL
                            AND jb.responded_at <= jb.response_deadline THEN 1 ELSE 0 END) AS on_time
            FROM jobs jb JOIN c ON c.id = jb.provider_id GROUP BY jb.provider_id
        ),
        ranked AS (
            SELECT c.id, c.business_name,
                   COALESCE(r.s, 0) AS rating_sum, COALESCE(r.n, 0) AS rating_count,
                   COALESCE(j.done, 0) AS completed_jobs,
                   COALESCE(j.recent, 0) AS recent_jobs, COALESCE(j.on_time, 0) AS on_time_jobs,
                   {score} AS score
            FROM c LEFT JOIN r ON r.provider_id = c.id LEFT JOIN j ON j.provider_id = c.id
        )
        SELECT id, business_name, rating_sum, rating_count, completed_jobs, recent_jobs, on_time_jobs
        FROM ranked
        WHERE score < ? OR (score = ? AND (completed_jobs < ? OR (completed_jobs = ? AND id > ?)))
        ORDER BY score DESC, completed_jobs DESC, id ASC
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
            completed_jobs: i64::MAX,
            neg_id: 0,
        });
        let since = chrono::Utc::now() - chrono::Duration::days(RESPONSE_WINDOW_DAYS);
        let values = vec![
            spec.region.into(),
            spec.service_id.0.into(),
            since.into(),
            since.into(),
            after.score.into(),
            after.score.into(),
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
        rows.into_iter()
            .map(|row| {
                let get = |col: &str| row.try_get::<i64>("", col).map_err(store_err);
                let (recent, on_time) = (get("recent_jobs")?, get("on_time_jobs")?);
                Ok(ProviderCard {
                    provider_id: ProviderId(get("id")?),
                    business_name: row
                        .try_get::<String>("", "business_name")
                        .map_err(store_err)?,
                    rating_sum: get("rating_sum")?,
                    rating_count: get("rating_count")?,
                    completed_jobs: get("completed_jobs")?,
                    response_rate: (recent > 0).then(|| on_time as f64 / recent as f64),
                    median_response_minutes: None,
                })
            })
            .collect()
    }
}
