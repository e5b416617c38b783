//! Demo history: completed jobs and their ratings, for `stm-api seed --demo`.

use async_trait::async_trait;
use kernel::StoreError;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use supply::demo::{DemoHistory, DemoRepository};

use crate::error::store_err;
use crate::sql::{exec, stmt};

/// [`DemoRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlDemoRepository {
    db: DatabaseConnection,
}

impl SqlDemoRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

const JOB_SQL: &str = "INSERT INTO jobs (customer_id, provider_id, service_id, status, description, zipcode, region_code,
        response_deadline, responded_at, completed_at, created_at, updated_at)
    VALUES (?, ?, ?, 'completed', 'Demo job', ?, ?, ?, ?, ?, ?, ?) RETURNING id";

const RATING_SQL: &str =
    "INSERT INTO ratings_feedback (job_id, customer_id, provider_id, rating, punctuality_rating,
        response_time, feedback, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

const SEARCH_SQL: &str = "INSERT INTO service_search_logs (service_id, region, zipcode, searched_at, searcher_key, searched_on) VALUES (?, ?, ?, ?, ?, ?)";

#[async_trait]
impl DemoRepository for SqlDemoRepository {
    async fn insert_history(&self, h: DemoHistory) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let now = chrono::Utc::now();
        for i in 0..h.completed_jobs {
            let customer = h.customers[(i as usize) % h.customers.len().max(1)];
            let created = now - chrono::Duration::days(i + 1);
            let values = vec![
                customer.0.into(),
                h.provider.0.into(),
                h.service.0.into(),
                h.zipcode.clone().into(),
                h.region.clone().into(),
                (created + chrono::Duration::hours(1)).into(),
                (created + chrono::Duration::minutes(10 + i * 3)).into(),
                (created + chrono::Duration::hours(5)).into(),
                created.into(),
                created.into(),
            ];
            let row = txn
                .query_one_raw(stmt(&txn, JOB_SQL, values))
                .await
                .map_err(store_err)?;
            let job: i64 = row
                .ok_or_else(|| StoreError::Backend("no job id returned".into()))?
                .try_get("", "id")
                .map_err(store_err)?;
            if let Some(rating) = h.ratings.get(i as usize) {
                let values = vec![
                    job.into(),
                    customer.0.into(),
                    h.provider.0.into(),
                    (*rating).into(),
                    (*rating).into(),
                    5.into(),
                    Some("Demo review".to_owned()).into(),
                    (created + chrono::Duration::hours(6)).into(),
                ];
                exec(&txn, RATING_SQL, values).await?;
            }
        }
        // Searches that found this provider, so regional popularity has data;
        // each by its own demo searcher, since popularity counts people.
        for i in 0..(h.completed_jobs + 8) {
            let at = now - chrono::Duration::hours(1 + (i * 7) % 140);
            let values = vec![
                h.service.0.into(),
                h.region.clone().into(),
                h.zipcode.clone().into(),
                at.into(),
                format!("demo:{}:{i}", h.provider.0).into(),
                at.date_naive().into(),
            ];
            exec(&txn, SEARCH_SQL, values).await?;
        }
        txn.commit().await.map_err(store_err)
    }
}
