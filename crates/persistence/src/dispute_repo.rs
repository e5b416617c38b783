//! Disputes in SQL. Scope is in the `WHERE` clause: a party of the job, an
//! LSM of the job's region, or an admin sees a dispute; anyone else gets
//! nothing. Raising and resolving are written through a unit of work
//! (`uow/disputes.rs`).

use async_trait::async_trait;
use disputes::ports::{DisputeRepository, DisputeScope, DisputeViewer};
use disputes::{Dispute, DisputeStatus, DisputedJob, Outcome, RaisedBy};
use jobs::JobStatus;
use kernel::{StoreError, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};
use uuid::Uuid;

use crate::entities::{
    attachments, disputes as dispute_rows, jobs as job_rows, service_providers as sp,
};
use crate::error::store_err;
use crate::job_repo::visible;

/// The job columns a dispute needs, with the provider's user.
#[derive(Debug, FromQueryResult)]
struct JobRow {
    job_id: i64,
    job_status: String,
    customer_id: i64,
    provider_user_id: i64,
    region_code: String,
    job_thread_id: Option<Uuid>,
}

/// A dispute row with its job.
#[derive(Debug, FromQueryResult)]
struct DisputeRow {
    #[sea_orm(nested)]
    dispute: dispute_rows::Model,
    #[sea_orm(nested)]
    job: JobRow,
}

/// The [`JobRow`] columns of a query that joins `jobs` and its provider.
fn job_columns<E: EntityTrait>(select: Select<E>) -> Select<E> {
    select
        .column_as(job_rows::Column::Id, "job_id")
        .column_as(job_rows::Column::Status, "job_status")
        .column_as(job_rows::Column::CustomerId, "customer_id")
        .column_as(sp::Column::UserId, "provider_user_id")
        .column_as(job_rows::Column::RegionCode, "region_code")
        .column_as(job_rows::Column::ThreadId, "job_thread_id")
}

/// Disputes with their job and its provider.
fn select_disputes() -> Select<dispute_rows::Entity> {
    job_columns(
        dispute_rows::Entity::find()
            .join(JoinType::InnerJoin, dispute_rows::Relation::Job.def())
            .join(JoinType::InnerJoin, job_rows::Relation::Provider.def()),
    )
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::backend(format!("unknown {what} {value}"))
}

fn job(row: JobRow) -> Result<DisputedJob, StoreError> {
    Ok(DisputedJob {
        id: row.job_id,
        status: JobStatus::parse(&row.job_status)
            .ok_or_else(|| corrupt("job status", &row.job_status))?,
        customer_id: UserId(row.customer_id),
        provider_user_id: UserId(row.provider_user_id),
        region_code: row.region_code,
        thread_id: row.job_thread_id,
    })
}

/// The JSON array of attachment ids (text on SQLite, JSON on PostgreSQL).
fn attachment_ids(value: serde_json::Value) -> Result<Vec<Uuid>, StoreError> {
    let value = match value {
        serde_json::Value::String(s) => serde_json::from_str(&s)
            .map_err(|e| StoreError::backend(format!("dispute attachments: {e}")))?,
        other => other,
    };
    serde_json::from_value(value)
        .map_err(|e| StoreError::backend(format!("dispute attachments: {e}")))
}

fn dispute(row: DisputeRow) -> Result<Dispute, StoreError> {
    let d = row.dispute;
    let outcome = d
        .outcome
        .map(|o| Outcome::parse(&o).ok_or_else(|| corrupt("dispute outcome", &o)))
        .transpose()?;
    Ok(Dispute {
        id: d.id,
        job: job(row.job)?,
        raised_by_id: UserId(d.raised_by_id),
        raised_by: RaisedBy::parse(&d.raised_by_type)
            .ok_or_else(|| corrupt("raiser", &d.raised_by_type))?,
        description: d.description,
        attachment_ids: attachment_ids(d.attachments)?,
        status: DisputeStatus::parse(&d.status)
            .ok_or_else(|| corrupt("dispute status", &d.status))?,
        outcome,
        resolved_by: d.resolved_by.map(UserId),
        resolution_notes: d.resolution_notes,
        created_at: d.created_at,
        resolved_at: d.resolved_at,
    })
}

/// Disputes on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlDisputeRepository {
    db: DatabaseConnection,
}

impl SqlDisputeRepository {
    /// A repository on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl DisputeRepository for SqlDisputeRepository {
    async fn job(
        &self,
        id: i64,
        viewer: &DisputeViewer,
    ) -> Result<Option<DisputedJob>, StoreError> {
        let row = job_columns(
            job_rows::Entity::find()
                .select_only()
                .join(JoinType::InnerJoin, job_rows::Relation::Provider.def()),
        )
        .filter(job_rows::Column::Id.eq(id))
        .filter(visible(viewer))
        .into_model::<JobRow>()
        .one(&self.db)
        .await
        .map_err(store_err)?;
        row.map(job).transpose()
    }

    async fn unusable_attachments(
        &self,
        owner: UserId,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let cited = crate::attachment_sweep::dispute_link();
        let rows = attachments::Entity::find()
            .select_only()
            .column(attachments::Column::Id)
            .filter(attachments::Column::Id.is_in(ids.iter().copied()))
            .filter(attachments::Column::OwnerUserId.eq(owner.0))
            .filter(Expr::exists(cited).not())
            .into_tuple::<Uuid>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let usable: std::collections::HashSet<Uuid> = rows.into_iter().collect();
        Ok(ids
            .iter()
            .filter(|id| !usable.contains(id))
            .copied()
            .collect())
    }

    async fn find_visible(
        &self,
        id: i64,
        viewer: &DisputeViewer,
    ) -> Result<Option<Dispute>, StoreError> {
        let row = select_disputes()
            .filter(dispute_rows::Column::Id.eq(id))
            .filter(visible(viewer))
            .into_model::<DisputeRow>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        row.map(dispute).transpose()
    }

    async fn list(
        &self,
        scope: &DisputeScope,
        status: Option<DisputeStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Dispute>, StoreError> {
        let scope = match scope {
            DisputeScope::Visible(v) => visible(v),
            DisputeScope::Region(code) => {
                Condition::all().add(job_rows::Column::RegionCode.eq(code.as_str()))
            }
        };
        let mut query = select_disputes().filter(scope);
        if let Some(s) = status {
            query = query.filter(dispute_rows::Column::Status.eq(s.as_str()));
        }
        if let Some(before) = before {
            query = query.filter(dispute_rows::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(dispute_rows::Column::Id)
            .limit(u64::from(limit))
            .into_model::<DisputeRow>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        rows.into_iter().map(dispute).collect()
    }
}
