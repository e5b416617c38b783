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
use sea_orm::ConnectionTrait;

use super::books::SqlBooksStore;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::error::store_err;
use crate::sql::{exec, stmt};

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
        exec(
            db,
            "UPDATE service_providers SET updated_at = ? WHERE id = ?",
            vec![at.into(), provider.0.into()],
        )
        .await?;
        let row = db
            .query_one_raw(stmt(
                db,
                "SELECT sp.warnings, sp.under_review, \
                 (SELECT MAX(w.created_at) FROM provider_warnings w \
                  WHERE w.provider_id = sp.id AND w.customer_id = ?) AS last \
                 FROM service_providers sp WHERE sp.id = ?",
                vec![customer.0.into(), provider.0.into()],
            ))
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        Ok(Standing {
            warnings: i64::from(row.try_get::<i32>("", "warnings").map_err(store_err)?),
            under_review: row.try_get("", "under_review").map_err(store_err)?,
            last_warning_from_customer: row.try_get("", "last").map_err(store_err)?,
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
        exec(
            db,
            "INSERT INTO provider_warnings (provider_id, customer_id, job_id, created_at) \
             VALUES (?, ?, ?, ?)",
            vec![
                job.provider_id.0.into(),
                job.customer_id.0.into(),
                job.id.into(),
                at.into(),
            ],
        )
        .await?;
        let warnings = i32::try_from(warnings)
            .map_err(|_| StoreError::backend("a warning count past the column's range"))?;
        let sql = if flag {
            "UPDATE service_providers SET warnings = ?, under_review = TRUE WHERE id = ?"
        } else {
            "UPDATE service_providers SET warnings = ? WHERE id = ?"
        };
        exec(db, sql, vec![warnings.into(), job.provider_id.0.into()]).await?;
        Ok(())
    }

    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError> {
        crate::effects::write_effects(self.tx.platform()?, effects, at).await
    }
}
