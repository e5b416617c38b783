//! The JSON of a message and of a thread, as the REST routes answer and as
//! `message.created` events carry them: one function each, so the socket and
//! the routes can never disagree.

use serde_json::{Value, json};

use crate::ports::{MessageRecord, ThreadRecord};

/// `{id, thread_id, sender_user_id, sender_role, body, read_at, created_at}`.
pub fn message_json(m: &MessageRecord) -> Value {
    json!({
        "id": m.id,
        "thread_id": m.thread_id,
        "sender_user_id": m.sender_user_id.map(|u| u.0),
        "sender_role": m.sender_role,
        "body": m.body,
        "read_at": m.read_at,
        "created_at": m.created_at,
    })
}

/// A thread for its reader, with their unread count and the newest message.
pub fn thread_json(r: &ThreadRecord) -> Value {
    let t = &r.thread;
    json!({
        "id": t.id,
        "kind": t.kind.as_str(),
        "job_id": t.job_id,
        "listing_id": t.listing_id,
        "buyer_user_id": t.buyer_user_id.0,
        "seller_user_id": t.seller_user_id.0,
        "lsm_user_id": t.lsm_user_id.map(|u| u.0),
        "subject": t.subject,
        "status": t.status.as_str(),
        "last_message_at": t.last_message_at,
        "is_deleted": t.is_deleted,
        "created_at": t.created_at,
        "unread_count": r.unread_count,
        "last_message": r.last_message.as_ref().map(message_json),
    })
}
