//! The statements of a raise and of a resolution, run inside the caller's
//! transaction: the dispute row and its evidence links, the job's `disputed`
//! event, the system message in the job thread, the thread's `lsm_user_id`
//! and every effect the use case computed.

use disputes::ports::{NewDispute, Resolution};
use disputes::{Dispute, DisputeStatus, DisputedJob, Resolver};
use effects::{Audience, EventType};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::effects::{audience_users, write_effects, write_user_event};
use crate::error::store_err;
use crate::sql::{exec, json_value, stmt};

/// Inserts the dispute (the partial unique index `uq_disputes_job_id` refuses
/// a second open one), links its attachments (`uq_dispute_attachments_attachment_id`
/// refuses one already linked), records `disputed` on the job, posts the
/// system message and writes the effects. Returns the stored dispute.
pub(super) async fn raise(
    db: &impl ConnectionTrait,
    new: &NewDispute,
) -> Result<Dispute, StoreError> {
    let r = &new.raise;
    // The job's version moves first: it takes the job row, so a complete or
    // mark-paid racing this raise either commits before it or loses its
    // compare-and-set on the version and is decided again, seeing the
    // dispute (the freeze holds under concurrency, not only in sequence).
    if exec(
        db,
        "UPDATE jobs SET version = version + 1, updated_at = ? WHERE id = ?",
        vec![new.at.into(), new.job.id.into()],
    )
    .await?
        != 1
    {
        return Err(StoreError::NotFound);
    }
    let ids = serde_json::to_value(&r.attachment_ids)
        .map_err(|e| StoreError::backend(format!("dispute attachments: {e}")))?;
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO disputes (job_id, thread_id, raised_by_id, raised_by_type, description, \
             attachments, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING id",
            vec![
                new.job.id.into(),
                new.job.thread_id.into(),
                r.raised_by_id.0.into(),
                r.raised_by.as_str().into(),
                r.description.clone().into(),
                json_value(ids),
                new.at.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("dispute insert returned no id"))?;
    let id: i64 = row.try_get_by_index(0).map_err(store_err)?;
    for attachment in &r.attachment_ids {
        exec(
            db,
            "INSERT INTO dispute_attachments (dispute_id, attachment_id) VALUES (?, ?)",
            vec![id.into(), (*attachment).into()],
        )
        .await?;
    }
    exec(
        db,
        "INSERT INTO job_events (job_id, actor_user_id, actor_role, kind, data, created_at) \
         VALUES (?, ?, ?, 'disputed', ?, ?)",
        vec![
            new.job.id.into(),
            r.raised_by_id.0.into(),
            r.raised_by.as_str().into(),
            json_value(json!({"dispute_id": id})),
            new.at.into(),
        ],
    )
    .await?;
    let stored = Dispute {
        id,
        job: new.job.clone(),
        raised_by_id: r.raised_by_id,
        raised_by: r.raised_by,
        description: r.description.clone(),
        attachment_ids: r.attachment_ids.clone(),
        status: DisputeStatus::Pending,
        outcome: None,
        resolved_by: None,
        resolution_notes: None,
        created_at: new.at,
        resolved_at: None,
    };
    system_message(db, &new.job, &new.system_message, new.at).await?;
    write_effects(db, &(new.effects_for)(&stored), new.at).await?;
    Ok(stored)
}

/// The compare-and-set on `status = 'pending'` decides two racing
/// resolutions ([`StoreError::Stale`] for the loser); then the thread's
/// `lsm_user_id`, the system message and the effects.
pub(super) async fn resolve(db: &impl ConnectionTrait, r: &Resolution) -> Result<(), StoreError> {
    let d = &r.dispute;
    let n = exec(
        db,
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
    if n != 1 {
        return Err(StoreError::Stale);
    }
    if let (Resolver::Lsm(lsm), Some(thread)) = (r.resolver, d.job.thread_id) {
        first_lsm(db, thread, lsm).await?;
    }
    system_message(db, &d.job, &r.system_message, r.at).await?;
    write_effects(db, &r.effects, r.at).await
}

/// Records `lsm` as the thread's LSM unless another acted first.
async fn first_lsm(
    db: &impl ConnectionTrait,
    thread: uuid::Uuid,
    lsm: UserId,
) -> Result<(), StoreError> {
    exec(
        db,
        "UPDATE message_threads SET lsm_user_id = COALESCE(lsm_user_id, ?) WHERE id = ?",
        vec![lsm.0.into(), thread.into()],
    )
    .await
    .map(|_| ())
}

/// A system message in the job's thread (posted even when blocked), with
/// `message.created` for both parties and every LSM of the region.
async fn system_message(
    db: &impl ConnectionTrait,
    job: &DisputedJob,
    text: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let Some(thread) = job.thread_id else {
        return Ok(());
    };
    let body = messaging::MessageBody::system(text);
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO messages (thread_id, sender_user_id, sender_role, body, created_at) \
             VALUES (?, NULL, 'system', ?, ?) RETURNING id, created_at",
            vec![thread.into(), body.as_str().into(), at.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("message insert returned no id"))?;
    exec(
        db,
        "UPDATE message_threads SET last_message_at = ? WHERE id = ?",
        vec![at.into(), thread.into()],
    )
    .await?;
    let data = messaging::view::message_json(&messaging::ports::MessageRecord {
        id: row.try_get_by_index(0).map_err(store_err)?,
        thread_id: thread,
        sender_user_id: None,
        sender_role: "system".into(),
        body: body.as_str().to_owned(),
        read_at: None,
        created_at: row.try_get("", "created_at").map_err(store_err)?,
    });
    let mut users: Vec<i64> = job.parties().iter().map(|u| u.0).collect();
    users.extend(audience_users(db, &Audience::RegionLsms(job.region_code.clone())).await?);
    users.sort_unstable();
    users.dedup();
    for user in users {
        write_user_event(db, user, EventType::MessageCreated, &data, at).await?;
    }
    Ok(())
}
