//! The writes of a job change: the row by compare-and-set, its events, what
//! happens to its thread (a system message with its real-time event, or the
//! soft delete of a rejection), and ratings with the provider's figures.

use effects::Audience;
use jobs::ports::{JobChange, NewJob, RatingRecord, ThreadChange};
use jobs::{Job, JobEvent, Rating};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::effects::write_effects;
use crate::entities::{job_events, jobs as job_rows, ratings_feedback};
use crate::error::store_err;
use crate::provider_figures;
use crate::uow::threads::{job_thread, open_job_thread, soft_delete_job_thread, system_message};

/// Inserts the job and its thread (both sides know each other's id); returns the job id.
pub(crate) async fn insert_job(db: &impl ConnectionTrait, new: &NewJob) -> Result<i64, StoreError> {
    let j = &new.job;
    let thread = uuid::Uuid::new_v4();
    let (policy, window, fee) = match new.cancellation_policy {
        Some(p) => {
            let (name, window, fee) = crate::schedule_read::policy_columns(p);
            (Some(name), window, fee)
        }
        None => (None, None, None),
    };
    let row = job_rows::ActiveModel {
        id: NotSet,
        customer_id: Set(j.customer_id.0),
        provider_id: Set(j.provider_id.0),
        service_id: Set(j.service_id.0),
        thread_id: Set(Some(thread)),
        status: Set(j.status.as_str().into()),
        description: Set(j.terms.description.clone()),
        answers_json: Set(serde_json::Value::Object(new.answers.clone())),
        price_cents: Set(j.terms.price_cents),
        currency: Set(new.currency.clone()),
        scheduled_at: Set(j.terms.scheduled_at),
        zipcode: Set(new.zipcode.clone()),
        region_code: Set(j.region_code.clone()),
        address: Set(new.address.clone()),
        pending_approval: Set(false),
        agreed_terms: Set(None),
        response_deadline: Set(j.response_deadline),
        responded_at: Set(None),
        rejection_reason: Set(None),
        cancellation_reason: Set(None),
        completed_at: Set(None),
        paid_at: Set(None),
        deadline_warning_issued: Set(false),
        version: Set(j.version),
        cancellation_policy: Set(policy),
        cancellation_window_hours: Set(window),
        cancellation_fee_bps: Set(fee),
        created_at: Set(new.at),
        updated_at: Set(new.at),
    };
    let id = job_rows::Entity::insert(row)
        .exec(db)
        .await
        .map_err(store_err)?
        .last_insert_id;
    open_job_thread(db, thread, id, j.customer_id, j.provider_user_id, new.at).await?;
    Ok(id)
}

/// The transition's own writes, shared by every kind of change.
pub(crate) async fn write_change(
    txn: &sea_orm::DatabaseTransaction,
    change: &JobChange,
) -> Result<(), StoreError> {
    // The compare-and-set comes first: it decides races and takes SQLite's write lock.
    update_job(txn, change).await?;
    insert_events(txn, change.job.id, change.actor, &change.events, change.at).await?;
    thread_change(txn, change).await?;
    crate::job_holds::change(
        txn,
        change.job.provider_id,
        change.job.id,
        change.slots,
        change.at,
    )
    .await?;
    // The provider's figure follows the rule's `completed` event, recorded above.
    if change
        .events
        .iter()
        .any(|e| e.kind == jobs::EventKind::Completed)
    {
        provider_figures::count_completed(txn, change.job.provider_id).await?;
    }
    write_effects(txn, &change.effects, change.at).await
}

/// Appends events; a second once-only event of a job is a stale write.
pub(crate) async fn insert_events(
    db: &impl ConnectionTrait,
    job_id: i64,
    actor: Option<UserId>,
    events: &[JobEvent],
    at: Timestamp,
) -> Result<(), StoreError> {
    for e in events {
        let actor_user = match e.actor {
            jobs::Party::System => None,
            _ => actor.map(|u| u.0),
        };
        let row = job_events::ActiveModel {
            id: NotSet,
            job_id: Set(job_id),
            actor_user_id: Set(actor_user),
            actor_role: Set(Some(e.actor.as_str().into())),
            kind: Set(e.kind.as_str().into()),
            data: Set(Some(e.data.clone())),
            created_at: Set(at),
        };
        let written = job_events::Entity::insert(row)
            .exec_without_returning(db)
            .await
            .map_err(store_err);
        match written {
            Err(StoreError::Conflict(kernel::Constraint::JobEventOnce)) => {
                return Err(StoreError::Stale);
            }
            other => other?,
        };
    }
    Ok(())
}

/// The compare-and-set: writes the rule's job only if it is still at the version the rule saw.
pub(crate) async fn update_job(
    db: &impl ConnectionTrait,
    change: &JobChange,
) -> Result<(), StoreError> {
    let j = &change.job;
    // Stored only while a proposal is pending (otherwise the row's own terms are the agreed ones).
    let agreed = j.pending_approval.then(|| j.agreed.to_json());
    let row = job_rows::ActiveModel {
        status: Set(j.status.as_str().into()),
        description: Set(j.terms.description.clone()),
        price_cents: Set(j.terms.price_cents),
        scheduled_at: Set(j.terms.scheduled_at),
        pending_approval: Set(j.pending_approval),
        agreed_terms: Set(agreed),
        responded_at: Set(j.responded_at),
        rejection_reason: Set(j.rejection_reason.clone()),
        cancellation_reason: Set(j.cancellation_reason.clone()),
        completed_at: Set(j.completed_at),
        paid_at: Set(j.paid_at),
        deadline_warning_issued: Set(j.deadline_warning_issued),
        version: Set(j.version),
        updated_at: Set(change.at),
        ..Default::default()
    };
    let n = job_rows::Entity::update_many()
        .set(row)
        .filter(job_rows::Column::Id.eq(j.id))
        .filter(job_rows::Column::Version.eq(change.expected_version))
        .exec(db)
        .await
        .map_err(store_err)?
        .rows_affected;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// What the transition does to the job's thread.
pub(crate) async fn thread_change(
    db: &impl ConnectionTrait,
    change: &JobChange,
) -> Result<(), StoreError> {
    let j = &change.job;
    match &change.thread {
        ThreadChange::None => Ok(()),
        ThreadChange::SoftDelete { by } => soft_delete_job_thread(db, j.id, *by, change.at).await,
        ThreadChange::SystemMessage(body) => {
            let Some(thread) = job_thread(db, j.id).await? else {
                return Ok(());
            };
            let parties = Audience::Users(vec![j.customer_id, j.provider_user_id]);
            system_message(db, thread, body, &[parties], change.at).await
        }
    }
}

/// Stores a rating, its `rated` event and the provider's rating figures.
pub(crate) async fn rate_job(
    db: &impl ConnectionTrait,
    job: &Job,
    rating: &Rating,
    at: Timestamp,
) -> Result<RatingRecord, StoreError> {
    let row = ratings_feedback::ActiveModel {
        id: NotSet,
        job_id: Set(job.id),
        customer_id: Set(job.customer_id.0),
        provider_id: Set(job.provider_id.0),
        rating: Set(i32::from(rating.rating.get())),
        punctuality_rating: Set(i32::from(rating.punctuality.get())),
        response_time: Set(i32::from(rating.response_time.get())),
        feedback: Set(rating.feedback.clone()),
        created_at: Set(at),
    };
    let id = ratings_feedback::Entity::insert(row)
        .exec(db)
        .await
        .map_err(store_err)?
        .last_insert_id;
    insert_events(db, job.id, Some(job.customer_id), &[rating.event()], at).await?;
    provider_figures::add_rating(db, job.provider_id, i64::from(rating.rating.get())).await?;
    Ok(RatingRecord {
        id,
        job_id: job.id,
        provider_id: job.provider_id,
        rating: rating.rating.get(),
        punctuality_rating: rating.punctuality.get(),
        response_time: rating.response_time.get(),
        feedback: rating.feedback.clone(),
        created_at: at,
    })
}
