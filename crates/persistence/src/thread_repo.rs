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
use messaging::{SenderRole, Thread, ThreadKind, ThreadStatus, Viewer};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QueryResult, QuerySelect, TransactionTrait, Value,
};
use serde_json::json;
use uuid::Uuid;

use crate::effects::{audience_users, write_user_event};
use crate::entities::{message_threads as threads, messages, thread_reads as reads};
use crate::error::store_err;
use crate::sql::stmt;
use crate::user_lock::lock_user;

/// A dispute was raised on the thread's job (the region's LSMs are in it).
const DISPUTED: &str = "EXISTS (SELECT 1 FROM disputes d WHERE d.job_id = t.job_id)";

/// Threads with their region, dispute flag, the reader's unread count (binds:
/// reader, reader) and the newest message.
fn select_threads() -> String {
    format!(
        "SELECT t.id, t.kind, t.job_id, t.listing_id, t.buyer_user_id, t.seller_user_id, t.lsm_user_id, \
         t.subject, t.status, t.last_message_at, t.is_deleted, t.created_at, j.region_code, \
         {DISPUTED} AS disputed, \
         (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id \
            AND (m.sender_user_id IS NULL OR m.sender_user_id <> ?) \
            AND m.id > COALESCE(r.last_read_message_id, 0)) AS unread_count, \
         lm.id AS lm_id, lm.sender_user_id AS lm_sender_user_id, lm.sender_role AS lm_sender_role, \
         lm.body AS lm_body, lm.read_at AS lm_read_at, lm.created_at AS lm_created_at \
         FROM message_threads t \
         LEFT JOIN jobs j ON j.id = t.job_id \
         LEFT JOIN thread_reads r ON r.thread_id = t.id AND r.user_id = ? \
         LEFT JOIN messages lm ON lm.id = (SELECT MAX(m2.id) FROM messages m2 WHERE m2.thread_id = t.id)"
    )
}

/// The SQL form of messaging's rule (`Thread::visibility`, which decides):
/// a party (hidden while soft-deleted, unless disputed), or an LSM of a
/// disputed job's region; admins are let in by [`ThreadRepository::find_visible`]
/// alone. `tests/disputes.rs` checks the two agree for every kind of viewer.
/// Binds: user, user, LSM region.
fn participant_scope() -> String {
    format!(
        "(((t.buyer_user_id = ? OR t.seller_user_id = ?) AND (NOT t.is_deleted OR {DISPUTED})) \
         OR ({DISPUTED} AND j.region_code = ?))"
    )
}

fn scope_values(viewer: &Viewer) -> Vec<Value> {
    let u = viewer.user_id.0;
    vec![u.into(), u.into(), viewer.lsm_region.clone().into()]
}

fn reader_values(viewer: &Viewer) -> Vec<Value> {
    vec![viewer.user_id.0.into(), viewer.user_id.0.into()]
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::backend(format!("unknown {what} {value}"))
}

fn thread_record(row: &QueryResult) -> Result<ThreadRecord, StoreError> {
    let kind: String = row.try_get("", "kind").map_err(store_err)?;
    let status: String = row.try_get("", "status").map_err(store_err)?;
    let user = |c: &str| row.try_get::<i64>("", c).map(UserId).map_err(store_err);
    let thread = Thread {
        id: row.try_get("", "id").map_err(store_err)?,
        kind: ThreadKind::parse(&kind).ok_or_else(|| corrupt("thread kind", &kind))?,
        job_id: row.try_get("", "job_id").map_err(store_err)?,
        listing_id: row.try_get("", "listing_id").map_err(store_err)?,
        buyer_user_id: user("buyer_user_id")?,
        seller_user_id: user("seller_user_id")?,
        lsm_user_id: row
            .try_get::<Option<i64>>("", "lsm_user_id")
            .map_err(store_err)?
            .map(UserId),
        subject: row.try_get("", "subject").map_err(store_err)?,
        status: ThreadStatus::parse(&status).ok_or_else(|| corrupt("thread status", &status))?,
        last_message_at: row.try_get("", "last_message_at").map_err(store_err)?,
        is_deleted: row.try_get("", "is_deleted").map_err(store_err)?,
        region_code: row.try_get("", "region_code").map_err(store_err)?,
        disputed: row.try_get("", "disputed").map_err(store_err)?,
        created_at: row.try_get("", "created_at").map_err(store_err)?,
    };
    let last_id: Option<i64> = row.try_get("", "lm_id").map_err(store_err)?;
    let last_message = match last_id {
        None => None,
        Some(id) => Some(MessageRecord {
            id,
            thread_id: thread.id,
            sender_user_id: row
                .try_get::<Option<i64>>("", "lm_sender_user_id")
                .map_err(store_err)?
                .map(UserId),
            sender_role: row.try_get("", "lm_sender_role").map_err(store_err)?,
            body: row.try_get("", "lm_body").map_err(store_err)?,
            read_at: row.try_get("", "lm_read_at").map_err(store_err)?,
            created_at: row.try_get("", "lm_created_at").map_err(store_err)?,
        }),
    };
    Ok(ThreadRecord {
        thread,
        unread_count: row.try_get("", "unread_count").map_err(store_err)?,
        last_message,
    })
}

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

#[async_trait]
impl ThreadRepository for SqlThreadRepository {
    async fn list(
        &self,
        viewer: &Viewer,
        after: Option<ThreadPosition>,
        limit: u32,
    ) -> Result<Vec<ThreadRecord>, StoreError> {
        let keyset = if after.is_some() {
            " AND (t.last_message_at < ? OR (t.last_message_at = ? AND t.id < ?))"
        } else {
            ""
        };
        let sql = format!(
            "{} WHERE {} AND (r.archived_at IS NULL OR t.last_message_at > r.archived_at){keyset} \
             ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?",
            select_threads(),
            participant_scope()
        );
        let mut values = reader_values(viewer);
        values.extend(scope_values(viewer));
        if let Some((at, id)) = after {
            values.extend([at.into(), at.into(), id.into()]);
        }
        values.push(i64::from(limit).into());
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        rows.iter().map(thread_record).collect()
    }

    async fn find_visible(
        &self,
        id: Uuid,
        viewer: &Viewer,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        let sql = format!(
            "{} WHERE t.id = ? AND ({} OR ?)",
            select_threads(),
            participant_scope()
        );
        let mut values = reader_values(viewer);
        values.push(id.into());
        values.extend(scope_values(viewer));
        values.push(viewer.is_admin.into());
        let row = self
            .db
            .query_one_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        row.as_ref().map(thread_record).transpose()
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
