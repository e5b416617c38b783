//! Disputes in SQL. Scope is in the `WHERE` clause: a party of the job, an
//! LSM of the job's region, or an admin sees a dispute; anyone else gets
//! nothing. Raising and resolving are written through a unit of work
//! (`uow/disputes.rs`).

use async_trait::async_trait;
use disputes::ports::{DisputeRepository, DisputeScope, DisputeViewer};
use disputes::{Dispute, DisputeStatus, DisputedJob, Outcome, RaisedBy};
use jobs::JobStatus;
use kernel::{StoreError, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, Value};
use uuid::Uuid;

use crate::error::store_err;
use crate::sql::stmt;

/// The job columns a dispute needs, with the provider's user.
const JOB: &str = "j.id AS job_id, j.status AS job_status, j.customer_id, \
     sp.user_id AS provider_user_id, j.region_code, j.thread_id AS job_thread_id";

/// Disputes with their job (binds none).
fn select() -> String {
    format!(
        "SELECT d.id, d.raised_by_id, d.raised_by_type, d.description, d.attachments, d.status, \
         d.outcome, d.resolved_by, d.resolution_notes, d.created_at, d.resolved_at, {JOB} \
         FROM disputes d JOIN jobs j ON j.id = d.job_id \
         JOIN service_providers sp ON sp.id = j.provider_id"
    )
}

/// A party, an LSM of the job's region, or an admin. Binds: user, user, admin, region.
const VISIBLE: &str = "(j.customer_id = ? OR sp.user_id = ? OR ? OR j.region_code = ?)";

fn visible_values(v: &DisputeViewer) -> Vec<Value> {
    let u = v.user_id.0;
    vec![
        u.into(),
        u.into(),
        v.is_admin.into(),
        v.lsm_region.clone().into(),
    ]
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::backend(format!("unknown {what} {value}"))
}

fn job(row: &QueryResult) -> Result<DisputedJob, StoreError> {
    let status: String = row.try_get("", "job_status").map_err(store_err)?;
    Ok(DisputedJob {
        id: row.try_get("", "job_id").map_err(store_err)?,
        status: JobStatus::parse(&status).ok_or_else(|| corrupt("job status", &status))?,
        customer_id: UserId(row.try_get("", "customer_id").map_err(store_err)?),
        provider_user_id: UserId(row.try_get("", "provider_user_id").map_err(store_err)?),
        region_code: row.try_get("", "region_code").map_err(store_err)?,
        thread_id: row.try_get("", "job_thread_id").map_err(store_err)?,
    })
}

/// The JSON array of attachment ids (text on SQLite, JSON on PostgreSQL).
fn attachment_ids(row: &QueryResult) -> Result<Vec<Uuid>, StoreError> {
    let value: serde_json::Value = row.try_get("", "attachments").map_err(store_err)?;
    let value = match value {
        serde_json::Value::String(s) => serde_json::from_str(&s)
            .map_err(|e| StoreError::backend(format!("dispute attachments: {e}")))?,
        other => other,
    };
    serde_json::from_value(value)
        .map_err(|e| StoreError::backend(format!("dispute attachments: {e}")))
}

fn dispute(row: &QueryResult) -> Result<Dispute, StoreError> {
    let s = |c: &str| row.try_get::<String>("", c).map_err(store_err);
    let raised_by = s("raised_by_type")?;
    let status = s("status")?;
    let outcome = row
        .try_get::<Option<String>>("", "outcome")
        .map_err(store_err)?
        .map(|o| Outcome::parse(&o).ok_or_else(|| corrupt("dispute outcome", &o)))
        .transpose()?;
    Ok(Dispute {
        id: row.try_get("", "id").map_err(store_err)?,
        job: job(row)?,
        raised_by_id: UserId(row.try_get("", "raised_by_id").map_err(store_err)?),
        raised_by: RaisedBy::parse(&raised_by).ok_or_else(|| corrupt("raiser", &raised_by))?,
        description: s("description")?,
        attachment_ids: attachment_ids(row)?,
        status: DisputeStatus::parse(&status).ok_or_else(|| corrupt("dispute status", &status))?,
        outcome,
        resolved_by: row
            .try_get::<Option<i64>>("", "resolved_by")
            .map_err(store_err)?
            .map(UserId),
        resolution_notes: row.try_get("", "resolution_notes").map_err(store_err)?,
        created_at: row.try_get("", "created_at").map_err(store_err)?,
        resolved_at: row.try_get("", "resolved_at").map_err(store_err)?,
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
        let sql = format!(
            "SELECT {JOB} FROM jobs j JOIN service_providers sp ON sp.id = j.provider_id \
             WHERE j.id = ? AND {VISIBLE}"
        );
        let mut values: Vec<Value> = vec![id.into()];
        values.extend(visible_values(viewer));
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        row.as_ref().map(job).transpose()
    }

    async fn unusable_attachments(
        &self,
        owner: UserId,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = format!(
            "SELECT a.id FROM attachments a WHERE a.id IN ({marks}) AND a.owner_user_id = ? \
             AND NOT EXISTS (SELECT 1 FROM dispute_attachments da WHERE da.attachment_id = a.id)"
        );
        let mut values: Vec<Value> = ids.iter().map(|id| (*id).into()).collect();
        values.push(owner.0.into());
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        let usable = rows
            .iter()
            .map(|r| r.try_get::<Uuid>("", "id").map_err(store_err))
            .collect::<Result<std::collections::HashSet<_>, _>>()?;
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
        let sql = format!("{} WHERE d.id = ? AND {VISIBLE}", select());
        let mut values: Vec<Value> = vec![id.into()];
        values.extend(visible_values(viewer));
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        row.as_ref().map(dispute).transpose()
    }

    async fn list(
        &self,
        scope: &DisputeScope,
        status: Option<DisputeStatus>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Dispute>, StoreError> {
        let (filter, mut values) = match scope {
            DisputeScope::Visible(v) => (VISIBLE, visible_values(v)),
            DisputeScope::Region(code) => ("j.region_code = ?", vec![code.clone().into()]),
        };
        let by_status = if status.is_some() {
            " AND d.status = ?"
        } else {
            ""
        };
        let sql = format!(
            "{} WHERE {filter}{by_status} AND d.id < ? ORDER BY d.id DESC LIMIT ?",
            select()
        );
        if let Some(s) = status {
            values.push(s.as_str().into());
        }
        values.extend([before.unwrap_or(i64::MAX).into(), i64::from(limit).into()]);
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        rows.iter().map(dispute).collect()
    }
}
