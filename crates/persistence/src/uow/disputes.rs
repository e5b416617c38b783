//! The dispute stores of a unit of work.

use std::sync::Arc;

use async_trait::async_trait;
use disputes::unit_of_work::{DisputeStore, DisputeUnitOfWork, DisputeUnits};
use disputes::{Dispute, DisputedJob, dispute::Raise};
use effects::Effects;
use jobs::unit_of_work::JobStore;
use kernel::{StoreError, Timestamp};
use messaging::thread_store::ThreadStore;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::jobs::SqlJobStore;
use super::threads::SqlThreadStore;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::entities::{dispute_attachments, disputes as dispute_rows};
use crate::error::store_err;

#[async_trait]
impl DisputeUnits for SqlUnitsOfWork {
    async fn begin(&self) -> Result<Box<dyn DisputeUnitOfWork>, StoreError> {
        Ok(Box::new(self.open().await?))
    }
}

#[async_trait]
impl DisputeUnitOfWork for SqlUnitOfWork {
    fn disputes(&mut self) -> Box<dyn DisputeStore> {
        Box::new(SqlDisputeStore { tx: self.tx() })
    }

    fn jobs(&mut self) -> Box<dyn JobStore> {
        Box::new(SqlJobStore { tx: self.tx() })
    }

    fn threads(&mut self) -> Box<dyn ThreadStore> {
        Box::new(SqlThreadStore { tx: self.tx() })
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        SqlUnitOfWork::commit(self).await
    }
}

/// The dispute rows of one unit of work.
#[derive(Debug)]
pub struct SqlDisputeStore {
    tx: Arc<Tx>,
}

#[async_trait]
impl DisputeStore for SqlDisputeStore {
    /// The evidence goes twice, from one value: in the row's JSON array (the
    /// field of SPEC §3, in the raiser's order) and in `dispute_attachments`,
    /// whose unique index is what refuses evidence already cited — a JSON
    /// array cannot carry that constraint (docs/disputes.md).
    async fn insert(
        &self,
        job: &DisputedJob,
        raise: &Raise,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let db = self.tx.platform()?;
        let ids = serde_json::to_value(&raise.attachment_ids)
            .map_err(|e| StoreError::backend(format!("dispute attachments: {e}")))?;
        let row = dispute_rows::ActiveModel {
            id: NotSet,
            job_id: Set(job.id),
            thread_id: Set(job.thread_id),
            raised_by_id: Set(raise.raised_by_id.0),
            raised_by_type: Set(raise.raised_by.as_str().into()),
            description: Set(raise.description.clone()),
            attachments: Set(ids),
            status: Set("pending".into()),
            outcome: Set(None),
            resolved_by: Set(None),
            resolution_notes: Set(None),
            created_at: Set(at),
            resolved_at: Set(None),
        };
        let id = dispute_rows::Entity::insert(row)
            .exec(db)
            .await
            .map_err(store_err)?
            .last_insert_id;
        for attachment in &raise.attachment_ids {
            let cited = dispute_attachments::ActiveModel {
                dispute_id: Set(id),
                attachment_id: Set(*attachment),
            };
            dispute_attachments::Entity::insert(cited)
                .exec_without_returning(db)
                .await
                .map_err(store_err)?;
        }
        Ok(id)
    }

    async fn resolve(&self, d: &Dispute) -> Result<(), StoreError> {
        let row = dispute_rows::ActiveModel {
            status: Set(d.status.as_str().into()),
            outcome: Set(d.outcome.map(|o| o.as_str().to_owned())),
            resolved_by: Set(d.resolved_by.map(|u| u.0)),
            resolution_notes: Set(d.resolution_notes.clone()),
            resolved_at: Set(d.resolved_at),
            ..Default::default()
        };
        let n = dispute_rows::Entity::update_many()
            .set(row)
            .filter(dispute_rows::Column::Id.eq(d.id))
            .filter(dispute_rows::Column::Status.eq("pending"))
            .exec(self.tx.platform()?)
            .await
            .map_err(store_err)?
            .rows_affected;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Stale)
        }
    }

    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError> {
        crate::effects::write_effects(self.tx.platform()?, effects, at).await
    }
}
