//! Demo history for `stm-api seed --demo`: jobs through the job repository
//! (completed and rated ones, and for showcase providers one in every state),
//! and searches for regional popularity.

use async_trait::async_trait;
use kernel::{StoreError, Timestamp};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect, TransactionTrait};
use supply::demo::{DemoHistory, DemoRepository};

use jobs::{Action, Party};
use kernel::{ProviderId, UserId};

use crate::demo_jobs::{self, Parties};
use crate::entities::{service_providers, service_search_logs};
use crate::error::store_err;
use crate::job_repo::SqlJobRepository;

async fn provider_user(
    db: &DatabaseConnection,
    provider: ProviderId,
) -> Result<UserId, StoreError> {
    service_providers::Entity::find_by_id(provider.0)
        .select_only()
        .column(service_providers::Column::UserId)
        .into_tuple::<i64>()
        .one(db)
        .await
        .map_err(store_err)?
        .map(UserId)
        .ok_or(StoreError::NotFound)
}

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

#[async_trait]
impl DemoRepository for SqlDemoRepository {
    async fn insert_history(&self, h: DemoHistory, at: Timestamp) -> Result<(), StoreError> {
        let now = at;
        let jobs = SqlJobRepository::new(self.db.clone());
        let provider_user = provider_user(&self.db, h.provider).await?;
        let parties = |i: usize| Parties {
            customer: h.customers[i % h.customers.len().max(1)],
            provider: h.provider,
            provider_user,
            service: h.service,
            region: h.region.clone(),
            zipcode: h.zipcode.clone(),
        };
        // Past jobs through the job rules: answered, completed, the first ones rated.
        for i in 0..h.completed_jobs {
            let idx = usize::try_from(i).unwrap_or(0);
            let created = now - chrono::Duration::days(i + 1);
            let mut job = demo_jobs::book(&jobs, &parties(idx), "Demo job", 6_000, created).await?;
            let answered = created + chrono::Duration::minutes(10 + i * 3);
            job = demo_jobs::step(&jobs, job, Party::Provider, Action::Accept, answered).await?;
            let done = created + chrono::Duration::hours(5);
            job = demo_jobs::step(&jobs, job, Party::Provider, Action::Complete, done).await?;
            if let Some(stars) = h.ratings.get(idx) {
                let at = created + chrono::Duration::hours(6);
                demo_jobs::rate(&jobs, &job, i64::from(*stars), at).await?;
            }
        }
        // The coming week's bookings, each holding its slot, accepted.
        for (i, slot) in h.bookings.iter().enumerate() {
            let job =
                demo_jobs::book_with(&jobs, &parties(i), "Demo booking", 5_000, now, Some(*slot))
                    .await?;
            demo_jobs::step(&jobs, job, Party::Provider, Action::Accept, now).await?;
        }
        if h.showcase {
            demo_jobs::showcase(&jobs, &self.db, &parties(0), now).await?;
        }
        let txn = self.db.begin().await.map_err(store_err)?;
        // Searches that found this provider, so regional popularity has data;
        // each by its own demo searcher, since popularity counts people.
        for i in 0..(h.completed_jobs + 8) {
            let at = now - chrono::Duration::hours(1 + (i * 7) % 140);
            service_search_logs::Entity::insert(service_search_logs::ActiveModel {
                id: NotSet,
                service_id: Set(h.service.0),
                region: Set(Some(h.region.clone())),
                zipcode: Set(Some(h.zipcode.clone())),
                searched_at: Set(at),
                searcher_key: Set(format!("demo:{}:{i}", h.provider.0)),
                searched_on: Set(at.date_naive()),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(store_err)?;
        }
        txn.commit().await.map_err(store_err)
    }
}
