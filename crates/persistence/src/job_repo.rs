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
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
    TransactionTrait,
};
use serde_json::json;

use crate::effects::write_effects;
use crate::entities::{
    disputes, job_events, jobs as job_rows, platform_settings, provider_services, ratings_feedback,
    service_providers as sp, slot_holds,
};
use crate::error::store_err;
use crate::job_write::{rate_job, write_change};
use crate::liveness::live_provider_expr;

/// A job row with its provider's user, as every job read selects it.
#[derive(Debug, FromQueryResult)]
pub(crate) struct JobRow {
    #[sea_orm(nested)]
    job: job_rows::Model,
    provider_user_id: i64,
}

/// Jobs joined to their provider, for the typed [`JobRow`].
pub(crate) fn select_jobs() -> Select<job_rows::Entity> {
    job_rows::Entity::find()
        .join(JoinType::InnerJoin, job_rows::Relation::Provider.def())
        .column_as(sp::Column::UserId, "provider_user_id")
}

/// Who may see a job: its customer, its provider's user, an LSM of its
/// region (the token's, `Ctx::lsm_region`), an admin.
pub(crate) fn visible(viewer: &JobViewer) -> Condition {
    if viewer.is_admin {
        return Condition::all();
    }
    let u = viewer.user_id.0;
    let mut who = Condition::any()
        .add(job_rows::Column::CustomerId.eq(u))
        .add(sp::Column::UserId.eq(u));
    if let Some(region) = &viewer.lsm_region {
        who = who.add(job_rows::Column::RegionCode.eq(region.as_str()));
    }
    who
}

/// A job row as read.
pub(crate) fn record(row: JobRow) -> Result<JobRecord, StoreError> {
    let r = row.job;
    let terms = Terms {
        price_cents: r.price_cents,
        scheduled_at: r.scheduled_at,
        description: r.description,
    };
    // Stored only while a proposal is pending; otherwise the shown terms are the agreed ones.
    let agreed = match r.agreed_terms {
        Some(v) => {
            Terms::from_json(&v).ok_or_else(|| StoreError::backend("unreadable agreed_terms"))?
        }
        None => terms.clone(),
    };
    let status = jobs::JobStatus::parse(&r.status)
        .ok_or_else(|| StoreError::backend(format!("unknown job status {}", r.status)))?;
    let job = Job {
        id: r.id,
        customer_id: UserId(r.customer_id),
        provider_id: ProviderId(r.provider_id),
        provider_user_id: UserId(row.provider_user_id),
        service_id: ServiceId(r.service_id),
        region_code: r.region_code,
        status,
        terms,
        agreed,
        pending_approval: r.pending_approval,
        response_deadline: r.response_deadline,
        responded_at: r.responded_at,
        rejection_reason: r.rejection_reason,
        cancellation_reason: r.cancellation_reason,
        completed_at: r.completed_at,
        paid_at: r.paid_at,
        deadline_warning_issued: r.deadline_warning_issued,
        version: r.version,
    };
    Ok(JobRecord {
        job,
        thread_id: r.thread_id,
        answers: r.answers_json,
        currency: r.currency,
        zipcode: r.zipcode,
        address: r.address,
        cancellation_policy: crate::schedule_read::parse_policy(
            r.cancellation_policy.as_deref(),
            r.cancellation_window_hours,
            r.cancellation_fee_bps,
        ),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Typed rows to records.
pub(crate) fn records(rows: Vec<JobRow>) -> Result<Vec<JobRecord>, StoreError> {
    rows.into_iter().map(record).collect()
}

/// A job by id, unscoped (inside a write that already checked scope).
pub(crate) async fn load(db: &impl ConnectionTrait, id: i64) -> Result<JobRecord, StoreError> {
    let row = select_jobs()
        .filter(job_rows::Column::Id.eq(id))
        .into_model::<JobRow>()
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    record(row)
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
        cancellation_fee_cap_bps: u32::try_from(s.cancellation_fee_cap_bps()).unwrap_or(0),
        provider_cancel_counts_as_warning: s.provider_cancel_counts_as_warning(),
        reminder_hours_before: s.reminder_hours_before(),
    })
}

/// What the rules need beyond the job row.
pub(crate) async fn facts(db: &impl ConnectionTrait, job: &Job) -> Result<Facts, StoreError> {
    let disputed = Query::select()
        .expr(Expr::val(1))
        .from(disputes::Entity)
        .and_where(disputes::Column::JobId.eq(job.id))
        .and_where(disputes::Column::Status.eq("pending"))
        .to_owned();
    let held = Query::select()
        .expr(Expr::val(1))
        .from(slot_holds::Entity)
        .and_where(slot_holds::Column::JobId.eq(job.id))
        .to_owned();
    let (provider_active, open_dispute, by_slot) = sp::Entity::find_by_id(job.provider_id.0)
        .select_only()
        .column_as(live_provider_expr(), "active")
        .column_as(Expr::exists(disputed), "disputed")
        .column_as(Expr::exists(held), "by_slot")
        .into_tuple::<(bool, bool, bool)>()
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    let proposal = crate::job_holds::pending_proposal(db, job.id).await?;
    Ok(Facts {
        provider_active,
        open_dispute,
        by_slot,
        proposal,
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
        let offers = Query::select()
            .expr(Expr::val(1))
            .from(provider_services::Entity)
            .and_where(
                Expr::col((
                    provider_services::Entity,
                    provider_services::Column::ProviderId,
                ))
                .equals((sp::Entity, sp::Column::Id)),
            )
            .and_where(provider_services::Column::ServiceId.eq(service.0))
            .and_where(provider_services::Column::IsActive.eq(true))
            .to_owned();
        let row = sp::Entity::find_by_id(provider.0)
            .select_only()
            .columns([sp::Column::Id, sp::Column::UserId, sp::Column::RegionCode])
            .column_as(live_provider_expr(), "active")
            .column_as(Expr::exists(offers), "offers")
            .into_tuple::<(i64, i64, String, bool, bool)>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(row.map(
            |(id, user_id, region_code, active, offers_service)| BookableProvider {
                id: ProviderId(id),
                user_id: UserId(user_id),
                region_code,
                active,
                offers_service,
            },
        ))
    }

    async fn create(&self, new: NewJob) -> Result<JobRecord, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let saved = crate::job_quota::insert_new(&txn, &new).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(saved)
    }

    async fn due_reminders(
        &self,
        from: Timestamp,
        until: Timestamp,
        limit: u64,
    ) -> Result<Vec<JobRecord>, StoreError> {
        crate::job_reminders::due(&self.db, from, until, limit).await
    }

    async fn booking_schedule(
        &self,
        provider: ProviderId,
        service: ServiceId,
        after: Timestamp,
    ) -> Result<jobs::slots::BookingSchedule, StoreError> {
        crate::schedule_read::booking_schedule(&self.db, provider, service, after).await
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
        let row = select_jobs()
            .filter(job_rows::Column::Id.eq(id))
            .filter(visible(&viewer))
            .into_model::<JobRow>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        row.map(record).transpose()
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
        let mut query = select_jobs().filter(visible(&viewer));
        if let Some(before) = crate::keyset::after::<i64>(&page)? {
            query = query.filter(job_rows::Column::Id.lt(before));
        }
        if let Some(status) = filter.status {
            query = query.filter(job_rows::Column::Status.eq(status.as_str()));
        }
        let rows = query
            .order_by_desc(job_rows::Column::Id)
            .limit(crate::keyset::fetch(&page))
            .into_model::<JobRow>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(crate::keyset::page_of(records(rows)?, &page, |r| r.job.id))
    }

    async fn events(&self, id: i64) -> Result<Vec<JobEventRecord>, StoreError> {
        let rows = job_events::Entity::find()
            .filter(job_events::Column::JobId.eq(id))
            .order_by_asc(job_events::Column::Id)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|r| JobEventRecord {
                id: r.id,
                kind: r.kind,
                actor_user_id: r.actor_user_id.map(UserId),
                actor_role: r.actor_role,
                data: r.data.unwrap_or_else(|| json!({})),
                created_at: r.created_at,
            })
            .collect())
    }

    async fn is_rated(&self, id: i64) -> Result<bool, StoreError> {
        let n = ratings_feedback::Entity::find()
            .filter(ratings_feedback::Column::JobId.eq(id))
            .count(&self.db)
            .await
            .map_err(store_err)?;
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
