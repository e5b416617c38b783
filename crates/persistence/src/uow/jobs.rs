//! The job store of a unit of work: the platform's job rows (the books a
//! paid job writes are `books.rs`).

use std::sync::Arc;

use async_trait::async_trait;
use billing::books::BooksStore;
use effects::Effects;
use jobs::ports::{JobChange, JobRecord, JobSettings};
use jobs::unit_of_work::{JobStore, JobUnitOfWork, JobUnits, Standing};
use jobs::{Facts, Job, Sale};
use kernel::{ProviderId, StoreError, TenantId, Timestamp, UserId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::books::SqlBooksStore;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::entities::{provider_warnings, service_providers as sp};
use crate::error::store_err;
use crate::provider_figures;

#[async_trait]
impl JobUnits for SqlUnitsOfWork {
    async fn begin(&self) -> Result<Box<dyn JobUnitOfWork>, StoreError> {
        Ok(Box::new(self.open().await?))
    }
}

#[async_trait]
impl JobUnitOfWork for SqlUnitOfWork {
    fn jobs(&mut self) -> Box<dyn JobStore> {
        Box::new(SqlJobStore { tx: self.tx() })
    }

    fn books(&mut self, tenant: TenantId) -> Box<dyn BooksStore> {
        Box::new(SqlBooksStore {
            tx: self.tx(),
            tenant,
        })
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        SqlUnitOfWork::commit(self).await
    }
}

/// The job rows of one unit of work.
#[derive(Debug)]
pub struct SqlJobStore {
    pub(super) tx: Arc<Tx>,
}

#[async_trait]
impl JobStore for SqlJobStore {
    async fn settings(&self) -> Result<JobSettings, StoreError> {
        crate::job_repo::settings(self.tx.platform()?).await
    }

    async fn load(&self, id: i64) -> Result<JobRecord, StoreError> {
        crate::job_repo::load(self.tx.platform()?, id).await
    }

    async fn facts(&self, job: &Job) -> Result<Facts, StoreError> {
        crate::job_repo::facts(self.tx.platform()?, job).await
    }

    async fn provider_tenant(&self, provider: ProviderId) -> Result<Option<TenantId>, StoreError> {
        crate::marketplace_repo::provider_tenant(self.tx.platform()?, provider).await
    }

    async fn save(&self, change: &JobChange) -> Result<(), StoreError> {
        crate::job_write::write_change(self.tx.platform()?, change).await
    }

    async fn insert_sale(&self, sale: &Sale) -> Result<i64, StoreError> {
        crate::marketplace_repo::insert_sale(self.tx.platform()?, sale).await
    }

    async fn standing(
        &self,
        provider: ProviderId,
        customer: UserId,
        at: Timestamp,
    ) -> Result<Standing, StoreError> {
        let db = self.tx.platform()?;
        // The provider's row lock first: concurrent sweeps of its jobs queue
        // here, so nothing read below can change until this unit ends.
        provider_figures::lock(db, provider, at).await?;
        let (warnings, under_review) = sp::Entity::find_by_id(provider.0)
            .select_only()
            .columns([sp::Column::Warnings, sp::Column::UnderReview])
            .into_tuple::<(i32, bool)>()
            .one(db)
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        let last_warning_from_customer = provider_warnings::Entity::find()
            .select_only()
            .column_as(provider_warnings::Column::CreatedAt.max(), "last")
            .filter(provider_warnings::Column::ProviderId.eq(provider.0))
            .filter(provider_warnings::Column::CustomerId.eq(customer.0))
            .into_tuple::<Option<Timestamp>>()
            .one(db)
            .await
            .map_err(store_err)?
            .flatten();
        Ok(Standing {
            warnings: i64::from(warnings),
            under_review,
            last_warning_from_customer,
        })
    }

    async fn count_warning(
        &self,
        job: &Job,
        warnings: i64,
        flag: bool,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let db = self.tx.platform()?;
        let row = provider_warnings::ActiveModel {
            id: NotSet,
            provider_id: Set(job.provider_id.0),
            customer_id: Set(job.customer_id.0),
            job_id: Set(job.id),
            created_at: Set(at),
        };
        provider_warnings::Entity::insert(row)
            .exec_without_returning(db)
            .await
            .map_err(store_err)?;
        provider_figures::set_warnings(db, job.provider_id, warnings, flag).await
    }

    async fn claim_reminder(
        &self,
        job: i64,
        start: Timestamp,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        crate::job_reminders::claim(self.tx.platform()?, job, start, at).await
    }

    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError> {
        crate::effects::write_effects(self.tx.platform()?, effects, at).await
    }
}
