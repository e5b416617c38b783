//! The statements of a post and of a read receipt, run inside the caller's transaction.

use kernel::StoreError;
use messaging::SenderRole;
use messaging::ports::{MarkRead, MessageRecord, NewInquiry, NewMessage};
use sea_orm::ConnectionTrait;

use crate::error::store_err;
use crate::sql::{exec, stmt};

/// Bumps the thread (only if it still takes the message: compare-and-set on
/// its status, so a block that commits first wins), inserts the message and
/// clears both parties' archive so the thread comes back to their inboxes.
pub(super) async fn post(
    db: &impl ConnectionTrait,
    m: &NewMessage,
) -> Result<MessageRecord, StoreError> {
    let bumped = exec(
        db,
        "UPDATE message_threads SET last_message_at = ? WHERE id = ? AND (status <> 'blocked' OR ?)",
        vec![m.at.into(), m.thread_id.into(), m.even_if_blocked.into()],
    )
    .await?;
    if bumped == 0 {
        return Err(StoreError::Stale);
    }
    if m.role == SenderRole::Lsm {
        // The first LSM to act on a dispute is the thread's LSM (docs/disputes.md).
        exec(
            db,
            "UPDATE message_threads SET lsm_user_id = COALESCE(lsm_user_id, ?) WHERE id = ?",
            vec![m.sender.0.into(), m.thread_id.into()],
        )
        .await?;
    }
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO messages (thread_id, sender_user_id, sender_role, body, created_at) \
             VALUES (?, ?, ?, ?, ?) RETURNING id, created_at",
            vec![
                m.thread_id.into(),
                m.sender.0.into(),
                m.role.as_str().into(),
                m.body.as_str().into(),
                m.at.into(),
            ],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::backend("message insert returned no row"))?;
    let [buyer, seller] = m.participants.parties;
    exec(
        db,
        "UPDATE thread_reads SET archived_at = NULL, updated_at = ? \
         WHERE thread_id = ? AND user_id IN (?, ?) AND archived_at IS NOT NULL",
        vec![
            m.at.into(),
            m.thread_id.into(),
            buyer.0.into(),
            seller.0.into(),
        ],
    )
    .await?;
    Ok(MessageRecord {
        id: row.try_get("", "id").map_err(store_err)?,
        thread_id: m.thread_id,
        sender_user_id: Some(m.sender),
        sender_role: m.role.as_str().to_owned(),
        body: m.body.as_str().to_owned(),
        read_at: None,
        // As stored (PostgreSQL keeps microseconds), so the event and the answer agree.
        created_at: row.try_get("", "created_at").map_err(store_err)?,
    })
}

/// Sets `read_at` on the counterpart's messages up to the receipt and moves
/// the reader's `last_read_message_id` forward (never back). Returns the
/// message id the receipt covers, or `None` for a thread without messages.
pub(super) async fn mark_read(
    db: &impl ConnectionTrait,
    r: &MarkRead,
) -> Result<Option<i64>, StoreError> {
    let newest = db
        .query_one_raw(stmt(
            db,
            "SELECT MAX(id) AS newest FROM messages WHERE thread_id = ?",
            vec![r.thread_id.into()],
        ))
        .await
        .map_err(store_err)?
        .map(|row| row.try_get::<Option<i64>>("", "newest").map_err(store_err))
        .transpose()?
        .flatten();
    let Some(newest) = newest else {
        return Ok(None);
    };
    let up_to = r.up_to_message_id.map_or(newest, |n| n.min(newest));
    if let Some(counterpart) = r.counterpart {
        exec(
            db,
            "UPDATE messages SET read_at = ? WHERE thread_id = ? AND sender_user_id = ? \
             AND id <= ? AND read_at IS NULL",
            vec![
                r.at.into(),
                r.thread_id.into(),
                counterpart.0.into(),
                up_to.into(),
            ],
        )
        .await?;
    }
    exec(
        db,
        "INSERT INTO thread_reads (thread_id, user_id, last_read_message_id, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET last_read_message_id = CASE \
           WHEN thread_reads.last_read_message_id IS NULL \
             OR thread_reads.last_read_message_id < excluded.last_read_message_id \
           THEN excluded.last_read_message_id ELSE thread_reads.last_read_message_id END, \
         updated_at = excluded.updated_at",
        vec![
            r.thread_id.into(),
            r.reader.0.into(),
            up_to.into(),
            r.at.into(),
        ],
    )
    .await?;
    Ok(Some(up_to))
}

/// The buyer's inquiry thread on the listing: inserted unless it exists (the
/// partial unique index makes two racing first inquiries meet in one thread),
/// then read back. A soft-deleted inquiry thread is reused as it is.
pub(super) async fn listing_thread(
    db: &impl ConnectionTrait,
    q: &NewInquiry,
) -> Result<uuid::Uuid, StoreError> {
    exec(
        db,
        "INSERT INTO message_threads (id, kind, listing_id, buyer_user_id, seller_user_id, subject, \
         status, last_message_at, is_deleted, created_at) \
         VALUES (?, 'listing', ?, ?, ?, ?, 'active', ?, ?, ?) \
         ON CONFLICT (listing_id, buyer_user_id) WHERE kind = 'listing' AND listing_id IS NOT NULL \
         DO NOTHING",
        vec![
            q.thread_id.into(),
            q.listing_id.into(),
            q.buyer.0.into(),
            q.seller.0.into(),
            q.subject.clone().into(),
            q.at.into(),
            false.into(),
            q.at.into(),
        ],
    )
    .await?;
    let row = db
        .query_one_raw(stmt(
            db,
            "SELECT id FROM message_threads WHERE kind = 'listing' AND listing_id = ? AND buyer_user_id = ?",
            vec![q.listing_id.into(), q.buyer.0.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    row.try_get("", "id").map_err(store_err)
}
