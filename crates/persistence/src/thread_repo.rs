//! Threads and messages in SQL. Scope is in the `WHERE` clause (the caller is
//! a party, an LSM of a disputed job's region, or — for reads by id — an
//! admin); unread counts and the newest message are computed in the same
//! query as the threads, so an inbox page is one round trip. Every write with
//! real-time consequences writes its `user_events` in its own transaction.

use async_trait::async_trait;
use effects::{Audience, EventType};
use kernel::{QuotaExceeded, StoreError, Timestamp, UserId};
use messaging::ports::{
    MarkRead, MessageRecord, NewInquiry, NewMessage, Participants, Posted, ThreadPosition,
    ThreadRecord, ThreadRepository,
};
use messaging::{SenderRole, Thread, Viewer};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::effects::{audience_users, write_user_event};
use crate::entities::{message_threads as threads, messages, thread_reads as reads};
use crate::error::store_err;
use crate::user_lock::lock_user;

/// Every user who receives a thread's events, once each, in id order.
/// The message and `message.created` for every participant, in `txn`.
/// Takes `sender`'s lock for the transaction, then counts their posts in
/// the window before `at` and asks the quota rule.
async fn admit_post(
    txn: &impl ConnectionTrait,
    sender: UserId,
    at: Timestamp,
) -> Result<Result<(), QuotaExceeded>, StoreError> {
    lock_user(txn, sender).await?;
    let limit = crate::quota_read::settings(txn)
        .await?
        .chat_posts_per_minute();
    let sent = messages::Entity::find()
        .filter(messages::Column::SenderUserId.eq(sender.0))
        .filter(messages::Column::CreatedAt.gte(at - messaging::quota::WINDOW));
    let used = crate::quota_read::window_use(txn, sent, messages::Column::CreatedAt).await?;
    Ok(messaging::quota::RecentPosts { limit, used }.admit(at))
}

async fn post_with_events(
    txn: &impl ConnectionTrait,
    message: &NewMessage,
) -> Result<MessageRecord, StoreError> {
    let saved = write::post(txn, message).await?;
    let data = messaging::view::message_json(&saved);
    for user in recipients(txn, &message.participants).await? {
        write_user_event(txn, user, EventType::MessageCreated, &data, message.at).await?;
    }
    Ok(saved)
}

async fn recipients(db: &impl ConnectionTrait, p: &Participants) -> Result<Vec<i64>, StoreError> {
    let mut users: Vec<i64> = p.parties.iter().map(|u| u.0).collect();
    if let Some(region) = &p.lsm_region {
        users.extend(audience_users(db, &Audience::RegionLsms(region.clone())).await?);
    }
    users.sort_unstable();
    users.dedup();
    Ok(users)
}

async fn unread_count(
    db: &impl ConnectionTrait,
    thread: Uuid,
    reader: UserId,
) -> Result<i64, StoreError> {
    let last_read = reads::Entity::find_by_id((thread, reader.0))
        .select_only()
        .column(reads::Column::LastReadMessageId)
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map_err(store_err)?
        .flatten()
        .unwrap_or(0);
    let n = messages::Entity::find()
        .filter(messages::Column::ThreadId.eq(thread))
        .filter(
            Condition::any()
                .add(messages::Column::SenderUserId.is_null())
                .add(messages::Column::SenderUserId.ne(reader.0)),
        )
        .filter(messages::Column::Id.gt(last_read))
        .count(db)
        .await
        .map_err(store_err)?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Threads and messages on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct SqlThreadRepository {
    db: DatabaseConnection,
}

impl SqlThreadRepository {
    /// A repository on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[path = "thread_write.rs"]
mod write;

#[path = "thread_select.rs"]
mod select;
use select::{ThreadRow, participant_scope, select_threads, thread_record};

#[async_trait]
impl ThreadRepository for SqlThreadRepository {
    async fn list(
        &self,
        viewer: &Viewer,
        after: Option<ThreadPosition>,
        limit: u32,
    ) -> Result<Vec<ThreadRecord>, StoreError> {
        let mut query = select_threads(viewer.user_id)
            .filter(participant_scope(viewer))
            .filter(
                Condition::any()
                    .add(reads::Column::ArchivedAt.is_null())
                    .add(
                        Expr::col((threads::Entity, threads::Column::LastMessageAt))
                            .gt(Expr::col((reads::Entity, reads::Column::ArchivedAt))),
                    ),
            );
        if let Some((at, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(threads::Column::LastMessageAt.lt(at))
                    .add(
                        Condition::all()
                            .add(threads::Column::LastMessageAt.eq(at))
                            .add(threads::Column::Id.lt(id)),
                    ),
            );
        }
        let rows = query
            .order_by_desc(threads::Column::LastMessageAt)
            .order_by_desc(threads::Column::Id)
            .limit(u64::from(limit))
            .into_model::<ThreadRow>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        rows.into_iter().map(thread_record).collect()
    }

    async fn find_visible(
        &self,
        id: Uuid,
        viewer: &Viewer,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        let mut query = select_threads(viewer.user_id).filter(threads::Column::Id.eq(id));
        if !viewer.is_admin {
            query = query.filter(participant_scope(viewer));
        }
        query
            .into_model::<ThreadRow>()
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(thread_record)
            .transpose()
    }

    async fn messages(
        &self,
        id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let mut query = messages::Entity::find().filter(messages::Column::ThreadId.eq(id));
        if let Some(before) = before {
            query = query.filter(messages::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(messages::Column::Id)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|m| MessageRecord {
                id: m.id,
                thread_id: m.thread_id,
                sender_user_id: m.sender_user_id.map(UserId),
                sender_role: m.sender_role,
                body: m.body,
                read_at: m.read_at,
                created_at: m.created_at,
            })
            .collect())
    }

    async fn post(&self, message: NewMessage) -> Result<Posted, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if let Err(refused) = admit_post(&txn, message.sender, message.at).await? {
            txn.rollback().await.map_err(store_err)?;
            return Ok(Err(refused));
        }
        let saved = post_with_events(&txn, &message).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(Ok(saved))
    }

    async fn inquire(
        &self,
        inquiry: NewInquiry,
    ) -> Result<Result<(Uuid, MessageRecord), QuotaExceeded>, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if let Err(refused) = admit_post(&txn, inquiry.buyer, inquiry.at).await? {
            txn.rollback().await.map_err(store_err)?;
            return Ok(Err(refused));
        }
        let thread_id = write::listing_thread(&txn, &inquiry).await?;
        let message = NewMessage {
            thread_id,
            sender: inquiry.buyer,
            role: SenderRole::Customer,
            body: inquiry.body,
            even_if_blocked: false,
            participants: Participants {
                parties: [inquiry.buyer, inquiry.seller],
                lsm_region: None,
            },
            at: inquiry.at,
        };
        let saved = post_with_events(&txn, &message).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(Ok((thread_id, saved)))
    }

    async fn mark_read(&self, read: MarkRead) -> Result<i64, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if let Some(up_to) = write::mark_read(&txn, &read).await? {
            let data = json!({
                "thread_id": read.thread_id, "user_id": read.reader.0, "up_to_message_id": up_to,
            });
            for user in recipients(&txn, &read.participants).await? {
                write_user_event(&txn, user, EventType::ThreadRead, &data, read.at).await?;
            }
        }
        let n = unread_count(&txn, read.thread_id, read.reader).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(n)
    }

    async fn archive(&self, id: Uuid, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        let row = reads::ActiveModel {
            thread_id: Set(id),
            user_id: Set(user.0),
            last_read_message_id: NotSet,
            updated_at: Set(at),
            archived_at: Set(Some(at)),
        };
        reads::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([reads::Column::ThreadId, reads::Column::UserId])
                    .update_columns([reads::Column::ArchivedAt, reads::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map(|_| ())
            .map_err(store_err)
    }

    async fn set_status(&self, thread: &Thread) -> Result<(), StoreError> {
        threads::Entity::update_many()
            .col_expr(threads::Column::Status, Expr::value(thread.status.as_str()))
            .filter(threads::Column::Id.eq(thread.id))
            .exec(&self.db)
            .await
            .map(|_| ())
            .map_err(store_err)
    }
}
