//! The thread store of a unit of work, and the one statement sequence of a
//! system message (a job transition's and a dispute's alike).

use std::sync::Arc;

use async_trait::async_trait;
use effects::{Audience, EventType};
use kernel::{StoreError, Timestamp, UserId};
use messaging::ports::MessageRecord;
use messaging::thread_store::ThreadStore;
use sea_orm::ActiveValue::NotSet;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::Tx;
use crate::effects::{audience_users, write_user_event};
use crate::entities::{message_threads as threads, messages};
use crate::error::store_err;

/// Opens the thread of a new job between its customer and its provider's user.
pub(crate) async fn open_job_thread(
    db: &impl ConnectionTrait,
    thread: Uuid,
    job: i64,
    buyer: UserId,
    seller: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row = threads::ActiveModel {
        id: Set(thread),
        kind: Set("job".into()),
        job_id: Set(Some(job)),
        listing_id: Set(None),
        buyer_user_id: Set(buyer.0),
        seller_user_id: Set(seller.0),
        lsm_user_id: Set(None),
        subject: Set(None),
        status: Set("active".into()),
        last_message_at: Set(at),
        is_deleted: Set(false),
        deleted_at: Set(None),
        deleted_by: Set(None),
        created_at: Set(at),
    };
    threads::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// Soft-deletes a job's thread (a rejected job's).
pub(crate) async fn soft_delete_job_thread(
    db: &impl ConnectionTrait,
    job: i64,
    by: UserId,
    at: Timestamp,
) -> Result<(), StoreError> {
    threads::Entity::update_many()
        .col_expr(threads::Column::IsDeleted, Expr::value(true))
        .col_expr(threads::Column::DeletedAt, Expr::value(at))
        .col_expr(threads::Column::DeletedBy, Expr::value(by.0))
        .filter(threads::Column::JobId.eq(job))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// The thread of a job, if it has one.
pub(crate) async fn job_thread(
    db: &impl ConnectionTrait,
    job: i64,
) -> Result<Option<Uuid>, StoreError> {
    threads::Entity::find()
        .select_only()
        .column(threads::Column::Id)
        .filter(threads::Column::JobId.eq(job))
        .into_tuple::<Uuid>()
        .one(db)
        .await
        .map_err(store_err)
}

/// Inserts a message and returns it as stored (PostgreSQL keeps
/// microseconds, so the event and the answer agree with a later read).
pub(crate) async fn insert_message(
    db: &impl ConnectionTrait,
    thread: Uuid,
    sender: Option<UserId>,
    role: &str,
    body: &str,
    at: Timestamp,
) -> Result<MessageRecord, StoreError> {
    let row = messages::ActiveModel {
        id: NotSet,
        thread_id: Set(thread),
        sender_user_id: Set(sender.map(|u| u.0)),
        sender_role: Set(role.to_owned()),
        body: Set(body.to_owned()),
        read_at: Set(None),
        created_at: Set(at),
    };
    let m = messages::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(store_err)?;
    Ok(MessageRecord {
        id: m.id,
        thread_id: m.thread_id,
        sender_user_id: m.sender_user_id.map(UserId),
        sender_role: m.sender_role,
        body: m.body,
        read_at: m.read_at,
        created_at: m.created_at,
    })
}

/// Moves the thread's last message time to `at` (inbox order).
pub(crate) async fn touch_thread(
    db: &impl ConnectionTrait,
    thread: Uuid,
    at: Timestamp,
) -> Result<(), StoreError> {
    threads::Entity::update_many()
        .col_expr(threads::Column::LastMessageAt, Expr::value(at))
        .filter(threads::Column::Id.eq(thread))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

/// Makes `lsm` the thread's LSM unless it already has one.
pub(crate) async fn set_first_lsm(
    db: &impl ConnectionTrait,
    thread: Uuid,
    lsm: UserId,
) -> Result<(), StoreError> {
    let first = Func::coalesce([Expr::col(threads::Column::LsmUserId), Expr::value(lsm.0)]);
    threads::Entity::update_many()
        .col_expr(threads::Column::LsmUserId, first.into())
        .filter(threads::Column::Id.eq(thread))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}

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
    let saved = insert_message(db, thread, None, "system", body.as_str(), at).await?;
    touch_thread(db, thread, at).await?;
    // The stored time, so the event carries what a later read returns.
    let data = messaging::view::message_json(&saved);
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
        set_first_lsm(self.tx.platform()?, thread, lsm).await
    }
}
