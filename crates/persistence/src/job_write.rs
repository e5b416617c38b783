//! The writes of a job change: the row by compare-and-set, its events, what
//! happens to its thread (a system message with its real-time event, or the
//! soft delete of a rejection), and ratings with the provider's figures.

use effects::Audience;
use jobs::ports::{JobChange, NewJob, RatingRecord, ThreadChange};
use jobs::{Job, JobEvent, Rating};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::ConnectionTrait;

use crate::effects::write_effects;
use crate::error::store_err;
use crate::sql::{exec, json_value, stmt};
use crate::uow::threads::system_message;

/// Inserts the job and its thread (both sides know each other's id); returns the job id.
pub(crate) async fn insert_job(db: &impl ConnectionTrait, new: &NewJob) -> Result<i64, StoreError> {
    let j = &new.job;
    let thread = uuid::Uuid::new_v4();
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO jobs (customer_id, provider_id, service_id, thread_id, status, description, \
             answers_json, price_cents, currency, scheduled_at, zipcode, region_code, address, \
             pending_approval, response_deadline, deadline_warning_issued, version, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                j.customer_id.0.into(),
                j.provider_id.0.into(),
                j.service_id.0.into(),
                thread.into(),
                j.status.as_str().into(),
                j.terms.description.clone().into(),
                json_value(serde_json::Value::Object(new.answers.clone())),
                j.terms.price_cents.into(),
                new.currency.clone().into(),
                j.terms.scheduled_at.into(),
                new.zipcode.clone().into(),
                j.region_code.clone().into(),
                new.address.clone().into(),
                false.into(),
                j.response_deadline.into(),
                false.into(),
                j.version.into(),
                new.at.into(),
                new.at.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("job insert returned no id"))?;
    let id: i64 = row.try_get_by_index(0).map_err(store_err)?;
    exec(
        db,
        "INSERT INTO message_threads (id, kind, job_id, buyer_user_id, seller_user_id, status, \
         last_message_at, is_deleted, created_at) VALUES (?, 'job', ?, ?, ?, 'active', ?, ?, ?)",
        vec![
            thread.into(),
            id.into(),
            j.customer_id.0.into(),
            j.provider_user_id.0.into(),
            new.at.into(),
            false.into(),
            new.at.into(),
        ],
    )
    .await?;
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
    // The provider's figure follows the rule's `completed` event, recorded above.
    if change
        .events
        .iter()
        .any(|e| e.kind == jobs::EventKind::Completed)
    {
        exec(
            txn,
            "UPDATE service_providers SET completed_jobs = completed_jobs + 1 WHERE id = ?",
            vec![change.job.provider_id.0.into()],
        )
        .await?;
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
        let written = exec(
            db,
            "INSERT INTO job_events (job_id, actor_user_id, actor_role, kind, data, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                job_id.into(),
                actor_user.into(),
                e.actor.as_str().into(),
                e.kind.as_str().into(),
                json_value(e.data.clone()),
                at.into(),
            ],
        )
        .await;
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
    let n = exec(
        db,
        "UPDATE jobs SET status = ?, description = ?, price_cents = ?, scheduled_at = ?, \
         pending_approval = ?, agreed_terms = ?, responded_at = ?, rejection_reason = ?, \
         cancellation_reason = ?, completed_at = ?, paid_at = ?, deadline_warning_issued = ?, \
         version = ?, updated_at = ? WHERE id = ? AND version = ?",
        vec![
            j.status.as_str().into(),
            j.terms.description.clone().into(),
            j.terms.price_cents.into(),
            j.terms.scheduled_at.into(),
            j.pending_approval.into(),
            agreed_terms(j),
            j.responded_at.into(),
            j.rejection_reason.clone().into(),
            j.cancellation_reason.clone().into(),
            j.completed_at.into(),
            j.paid_at.into(),
            j.deadline_warning_issued.into(),
            j.version.into(),
            change.at.into(),
            j.id.into(),
            change.expected_version.into(),
        ],
    )
    .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// The agreed terms as stored: only while a proposal is pending (otherwise
/// the row's own terms are the agreed ones).
fn agreed_terms(j: &Job) -> sea_orm::Value {
    if j.pending_approval {
        json_value(j.agreed.to_json())
    } else {
        sea_orm::Value::Json(None)
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
        ThreadChange::SoftDelete { by } => exec(
            db,
            "UPDATE message_threads SET is_deleted = ?, deleted_at = ?, deleted_by = ? WHERE job_id = ?",
            vec![true.into(), change.at.into(), by.0.into(), j.id.into()],
        )
        .await
        .map(|_| ()),
        ThreadChange::SystemMessage(body) => {
            let row = db
                .query_one_raw(stmt(
                    db,
                    "SELECT id FROM message_threads WHERE job_id = ?",
                    vec![j.id.into()],
                ))
                .await
                .map_err(store_err)?;
            let Some(row) = row else { return Ok(()) };
            let thread: uuid::Uuid = row.try_get("", "id").map_err(store_err)?;
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
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO ratings_feedback (job_id, customer_id, provider_id, rating, punctuality_rating, \
             response_time, feedback, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                job.id.into(),
                job.customer_id.0.into(),
                job.provider_id.0.into(),
                i32::from(rating.rating.get()).into(),
                i32::from(rating.punctuality.get()).into(),
                i32::from(rating.response_time.get()).into(),
                rating.feedback.clone().into(),
                at.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("rating insert returned no id"))?;
    let id: i64 = row.try_get_by_index(0).map_err(store_err)?;
    insert_events(db, job.id, Some(job.customer_id), &[rating.event()], at).await?;
    exec(
        db,
        "UPDATE service_providers SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 WHERE id = ?",
        vec![i64::from(rating.rating.get()).into(), job.provider_id.0.into()],
    )
    .await?;
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
