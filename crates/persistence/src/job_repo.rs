//! Jobs in SQL: reads with the viewer's scope in the `WHERE` clause, writes by
//! compare-and-set on `version`, each with its events, thread change and
//! effects in one transaction.

use async_trait::async_trait;
use jobs::ports::{
    BookableProvider, JobChange, JobEventRecord, JobFilter, JobRecord, JobRepository, JobSettings,
    JobViewer, NewJob, RatingRecord,
};
use jobs::{Facts, Job, Rating, ResponseMetrics, ResponseSample, Terms};
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, Timestamp, UserId};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, QueryResult, TransactionTrait, Value,
};
use serde_json::json;

use crate::effects::write_effects;
use crate::entities::platform_settings;
use crate::error::store_err;
use crate::job_write::{rate_job, write_change};
use crate::sql::stmt;

/// The columns every job read selects, with the provider's user.
pub(crate) const JOB_COLUMNS: &str = "j.id, j.customer_id, j.provider_id, sp.user_id AS provider_user_id, \
     j.service_id, j.thread_id, j.status, j.description, j.answers_json, j.price_cents, j.currency, \
     j.scheduled_at, j.zipcode, j.region_code, j.address, j.pending_approval, j.agreed_terms, j.response_deadline, \
     j.responded_at, j.rejection_reason, j.cancellation_reason, j.completed_at, j.paid_at, \
     j.deadline_warning_issued, j.version, j.created_at, j.updated_at";

/// Who may see a job: its customer, its provider's user, an LSM of its
/// region (the token's, `Ctx::lsm_region`), an admin.
const VISIBLE: &str = "(j.customer_id = ? OR sp.user_id = ? OR ? OR j.region_code = ?)";

fn visible_values(viewer: &JobViewer) -> Vec<Value> {
    let u = viewer.user_id.0;
    vec![
        u.into(),
        u.into(),
        viewer.is_admin.into(),
        viewer.lsm_region.clone().into(),
    ]
}

/// A job row as read.
pub(crate) fn record(row: &QueryResult) -> Result<JobRecord, StoreError> {
    let i = |c: &str| row.try_get::<i64>("", c).map_err(store_err);
    let s = |c: &str| row.try_get::<String>("", c).map_err(store_err);
    let os = |c: &str| row.try_get::<Option<String>>("", c).map_err(store_err);
    let t = |c: &str| row.try_get::<Timestamp>("", c).map_err(store_err);
    let ot = |c: &str| row.try_get::<Option<Timestamp>>("", c).map_err(store_err);
    let b = |c: &str| row.try_get::<bool>("", c).map_err(store_err);
    let status = s("status")?;
    let terms = Terms {
        price_cents: row
            .try_get::<Option<i64>>("", "price_cents")
            .map_err(store_err)?,
        scheduled_at: ot("scheduled_at")?,
        description: s("description")?,
    };
    // Stored only while a proposal is pending; otherwise the shown terms are the agreed ones.
    let agreed = match row
        .try_get::<Option<serde_json::Value>>("", "agreed_terms")
        .map_err(store_err)?
    {
        Some(v) => {
            Terms::from_json(&v).ok_or_else(|| StoreError::backend("unreadable agreed_terms"))?
        }
        None => terms.clone(),
    };
    let job = Job {
        id: i("id")?,
        customer_id: UserId(i("customer_id")?),
        provider_id: ProviderId(i("provider_id")?),
        provider_user_id: UserId(i("provider_user_id")?),
        service_id: ServiceId(i("service_id")?),
        region_code: s("region_code")?,
        status: jobs::JobStatus::parse(&status)
            .ok_or_else(|| StoreError::backend(format!("unknown job status {status}")))?,
        terms,
        agreed,
        pending_approval: b("pending_approval")?,
        response_deadline: t("response_deadline")?,
        responded_at: ot("responded_at")?,
        rejection_reason: os("rejection_reason")?,
        cancellation_reason: os("cancellation_reason")?,
        completed_at: ot("completed_at")?,
        paid_at: ot("paid_at")?,
        deadline_warning_issued: b("deadline_warning_issued")?,
        version: i("version")?,
    };
    Ok(JobRecord {
        job,
        thread_id: row
            .try_get::<Option<uuid::Uuid>>("", "thread_id")
            .map_err(store_err)?,
        answers: row
            .try_get::<serde_json::Value>("", "answers_json")
            .map_err(store_err)?,
        currency: s("currency")?,
        zipcode: s("zipcode")?,
        address: os("address")?,
        created_at: t("created_at")?,
        updated_at: t("updated_at")?,
    })
}

/// A job by id, unscoped (inside a write that already checked scope).
pub(crate) async fn load(db: &impl ConnectionTrait, id: i64) -> Result<JobRecord, StoreError> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs j JOIN service_providers sp ON sp.id = j.provider_id WHERE j.id = ?"
    );
    let row = db
        .query_one_raw(stmt(db, &sql, vec![id.into()]))
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    record(&row)
}

/// The settings jobs read.
pub(crate) async fn settings(db: &impl ConnectionTrait) -> Result<JobSettings, StoreError> {
    let rows: Vec<(String, serde_json::Value)> = platform_settings::Entity::find()
        .all(db)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|r| (r.key, r.value))
        .collect();
    let s = supply::PlatformSettings::from_stored(&rows);
    Ok(JobSettings {
        response_deadline_minutes: s.response_deadline_minutes(),
        platform_fee_bps: u32::try_from(s.platform_fee_bps()).unwrap_or(0),
        warning_threshold: s.warning_threshold(),
        open_requests: jobs::OpenRequestLimits {
            per_pair: s.open_requests_per_pair(),
            per_customer: s.open_requests_per_customer(),
        },
    })
}

/// What the rules need beyond the job row.
pub(crate) async fn facts(db: &impl ConnectionTrait, job: &Job) -> Result<Facts, StoreError> {
    let sql = format!(
        "SELECT {} AS active, \
         EXISTS (SELECT 1 FROM disputes d WHERE d.job_id = ? AND d.status = 'pending') AS disputed \
         FROM service_providers sp WHERE sp.id = ?",
        crate::liveness::live_provider("sp")
    );
    let row = db
        .query_one_raw(stmt(
            db,
            &sql,
            vec![job.id.into(), job.provider_id.0.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    Ok(Facts {
        provider_active: row.try_get("", "active").map_err(store_err)?,
        open_dispute: row.try_get("", "disputed").map_err(store_err)?,
    })
}

/// Jobs on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlJobRepository {
    db: DatabaseConnection,
}

impl SqlJobRepository {
    /// A repository on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The pool, for the demo data's units of work.
    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.db
    }
}

#[async_trait]
impl JobRepository for SqlJobRepository {
    async fn settings(&self) -> Result<JobSettings, StoreError> {
        settings(&self.db).await
    }

    async fn bookable_provider(
        &self,
        provider: ProviderId,
        service: ServiceId,
    ) -> Result<Option<BookableProvider>, StoreError> {
        let sql = format!(
            "SELECT sp.id, sp.user_id, sp.region_code, {} AS active, \
             EXISTS (SELECT 1 FROM provider_services ps WHERE ps.provider_id = sp.id \
                     AND ps.service_id = ? AND ps.is_active) AS offers \
             FROM service_providers sp WHERE sp.id = ?",
            crate::liveness::live_provider("sp")
        );
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                &sql,
                vec![service.0.into(), provider.0.into()],
            ))
            .await
            .map_err(store_err)?;
        row.map(|r| {
            Ok(BookableProvider {
                id: ProviderId(r.try_get("", "id").map_err(store_err)?),
                user_id: UserId(r.try_get("", "user_id").map_err(store_err)?),
                region_code: r.try_get("", "region_code").map_err(store_err)?,
                active: r.try_get("", "active").map_err(store_err)?,
                offers_service: r.try_get("", "offers").map_err(store_err)?,
            })
        })
        .transpose()
    }

    async fn create(&self, new: NewJob) -> Result<JobRecord, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let saved = crate::job_quota::insert_new(&txn, &new).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(saved)
    }

    async fn create_within_quota(
        &self,
        new: NewJob,
        limits: jobs::OpenRequestLimits,
    ) -> Result<Result<JobRecord, kernel::QuotaExceeded>, StoreError> {
        crate::job_quota::create_within_quota(&self.db, new, limits).await
    }

    async fn find_visible(
        &self,
        id: i64,
        viewer: JobViewer,
    ) -> Result<Option<JobRecord>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j JOIN service_providers sp ON sp.id = j.provider_id \
             WHERE j.id = ? AND {VISIBLE}"
        );
        let mut values = vec![id.into()];
        values.extend(visible_values(&viewer));
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        row.as_ref().map(record).transpose()
    }

    async fn facts(&self, job: &Job) -> Result<Facts, StoreError> {
        facts(&self.db, job).await
    }

    async fn apply(&self, change: JobChange) -> Result<JobRecord, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        write_change(&txn, &change).await?;
        let saved = load(&txn, change.job.id).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(saved)
    }

    async fn list(
        &self,
        viewer: JobViewer,
        filter: JobFilter,
        page: PageRequest,
    ) -> Result<Page<JobRecord>, StoreError> {
        let before = crate::keyset::after::<i64>(&page)?.unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j JOIN service_providers sp ON sp.id = j.provider_id \
             WHERE {VISIBLE} AND (? IS NULL OR j.status = ?) AND j.id < ? ORDER BY j.id DESC LIMIT ?"
        );
        let status = filter.status.map(|s| s.as_str().to_owned());
        let mut values = visible_values(&viewer);
        values.extend([
            status.clone().into(),
            status.into(),
            before.into(),
            i64::try_from(crate::keyset::fetch(&page))
                .unwrap_or(i64::MAX)
                .into(),
        ]);
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        let items = rows.iter().map(record).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::keyset::page_of(items, &page, |r| r.job.id))
    }

    async fn events(&self, id: i64) -> Result<Vec<JobEventRecord>, StoreError> {
        let rows = self
            .db
            .query_all_raw(stmt(
                &self.db,
                "SELECT id, kind, actor_user_id, actor_role, data, created_at FROM job_events \
                 WHERE job_id = ? ORDER BY id",
                vec![id.into()],
            ))
            .await
            .map_err(store_err)?;
        rows.iter()
            .map(|r| {
                Ok(JobEventRecord {
                    id: r.try_get("", "id").map_err(store_err)?,
                    kind: r.try_get("", "kind").map_err(store_err)?,
                    actor_user_id: r
                        .try_get::<Option<i64>>("", "actor_user_id")
                        .map_err(store_err)?
                        .map(UserId),
                    actor_role: r.try_get("", "actor_role").map_err(store_err)?,
                    data: r
                        .try_get::<Option<serde_json::Value>>("", "data")
                        .map_err(store_err)?
                        .unwrap_or_else(|| json!({})),
                    created_at: r.try_get("", "created_at").map_err(store_err)?,
                })
            })
            .collect()
    }

    async fn is_rated(&self, id: i64) -> Result<bool, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                "SELECT COUNT(*) AS n FROM ratings_feedback WHERE job_id = ?",
                vec![id.into()],
            ))
            .await
            .map_err(store_err)?;
        let n: i64 = row
            .map(|r| r.try_get("", "n"))
            .transpose()
            .map_err(store_err)?
            .unwrap_or(0);
        Ok(n > 0)
    }

    async fn rate(
        &self,
        job: &Job,
        rating: &Rating,
        effects: effects::Effects,
        at: Timestamp,
    ) -> Result<RatingRecord, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let saved = rate_job(&txn, job, rating, at).await?;
        write_effects(&txn, &effects, at).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(saved)
    }

    async fn overdue(&self, now: Timestamp, limit: u64) -> Result<Vec<JobRecord>, StoreError> {
        crate::sweep_repo::overdue(&self.db, now, limit).await
    }

    async fn response_samples(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(ProviderId, ResponseSample)>, StoreError> {
        crate::sweep_repo::response_samples(&self.db, since).await
    }

    async fn write_response_figures(
        &self,
        figures: Vec<(ProviderId, ResponseMetrics)>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        crate::sweep_repo::write_response_figures(&self.db, figures, at).await
    }
}
