//! The dispute stores of a unit of work.

use std::sync::Arc;

use async_trait::async_trait;
use disputes::unit_of_work::{DisputeStore, DisputeUnitOfWork, DisputeUnits};
use disputes::{Dispute, DisputedJob, dispute::Raise};
use effects::Effects;
use jobs::unit_of_work::JobStore;
use kernel::{StoreError, Timestamp};
use messaging::thread_store::ThreadStore;
use sea_orm::ConnectionTrait;

use super::jobs::SqlJobStore;
use super::threads::SqlThreadStore;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::error::store_err;
use crate::sql::{exec, json_value, stmt};

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
        let row = db
            .query_one_raw(stmt(
                db,
                "INSERT INTO disputes (job_id, thread_id, raised_by_id, raised_by_type, description, \
                 attachments, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING id",
                vec![
                    job.id.into(),
                    job.thread_id.into(),
                    raise.raised_by_id.0.into(),
                    raise.raised_by.as_str().into(),
                    raise.description.clone().into(),
                    json_value(ids),
                    at.into(),
                ],
            ))
            .await
            .map_err(store_err)?
            .ok_or_else(|| StoreError::backend("dispute insert returned no id"))?;
        let id: i64 = row.try_get_by_index(0).map_err(store_err)?;
        for attachment in &raise.attachment_ids {
            exec(
                db,
                "INSERT INTO dispute_attachments (dispute_id, attachment_id) VALUES (?, ?)",
                vec![id.into(), (*attachment).into()],
            )
            .await?;
        }
        Ok(id)
    }

    async fn resolve(&self, d: &Dispute) -> Result<(), StoreError> {
        let n = exec(
            self.tx.platform()?,
            "UPDATE disputes SET status = ?, outcome = ?, resolved_by = ?, resolution_notes = ?, \
             resolved_at = ? WHERE id = ? AND status = 'pending'",
            vec![
                d.status.as_str().into(),
                d.outcome.map(|o| o.as_str()).into(),
                d.resolved_by.map(|u| u.0).into(),
                d.resolution_notes.clone().into(),
                d.resolved_at.into(),
                d.id.into(),
            ],
        )
        .await?;
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
