//! The thread store of a unit of work, and the one statement sequence of a
//! system message (a job transition's and a dispute's alike).

use std::sync::Arc;

use async_trait::async_trait;
use effects::{Audience, EventType};
use kernel::{StoreError, Timestamp, UserId};
use messaging::thread_store::ThreadStore;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::Tx;
use crate::effects::{audience_users, write_user_event};
use crate::error::store_err;
use crate::sql::{exec, stmt};

/// Posts `text` as a system message into `thread` (even a blocked one),
/// bumps the thread, and writes `message.created` — the object the REST
/// routes answer — for every user of `audiences`, each once.
pub(crate) async fn system_message(
    db: &impl ConnectionTrait,
    thread: Uuid,
    text: &str,
    audiences: &[Audience],
    at: Timestamp,
) -> Result<(), StoreError> {
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
    // The stored time, so the event carries what a later read returns.
    let data = messaging::view::message_json(&messaging::ports::MessageRecord {
        id: row.try_get_by_index(0).map_err(store_err)?,
        thread_id: thread,
        sender_user_id: None,
        sender_role: "system".into(),
        body: body.as_str().to_owned(),
        read_at: None,
        created_at: row.try_get("", "created_at").map_err(store_err)?,
    });
    let mut users = Vec::new();
    for audience in audiences {
        users.extend(audience_users(db, audience).await?);
    }
    users.sort_unstable();
    users.dedup();
    for user in users {
        write_user_event(db, user, EventType::MessageCreated, &data, at).await?;
    }
    Ok(())
}

/// The threads of one unit of work.
#[derive(Debug)]
pub struct SqlThreadStore {
    pub(super) tx: Arc<Tx>,
}

#[async_trait]
impl ThreadStore for SqlThreadStore {
    async fn system_message(
        &self,
        thread: Uuid,
        text: &str,
        audiences: &[Audience],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        system_message(self.tx.platform()?, thread, text, audiences, at).await
    }

    async fn first_lsm(&self, thread: Uuid, lsm: UserId) -> Result<(), StoreError> {
        exec(
            self.tx.platform()?,
            "UPDATE message_threads SET lsm_user_id = COALESCE(lsm_user_id, ?) WHERE id = ?",
            vec![lsm.0.into(), thread.into()],
        )
        .await
        .map(|_| ())
    }
}
