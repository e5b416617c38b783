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
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, IntoCondition, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef, Select,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::effects::{audience_users, write_user_event};
use crate::entities::{
    disputes as dispute_rows, jobs as job_rows, message_threads as threads, messages,
    thread_reads as reads,
};
use crate::error::store_err;
use crate::user_lock::lock_user;

/// A thread as the inbox shows it: the row, its job's region, the dispute
/// flag, the reader's unread count and the newest message (`lm_*`, all null
/// for a thread without messages).
#[derive(Debug, FromQueryResult)]
struct ThreadRow {
    #[sea_orm(nested)]
    thread: threads::Model,
    region_code: Option<String>,
    disputed: bool,
    unread_count: i64,
    lm_id: Option<i64>,
    lm_sender_user_id: Option<i64>,
    lm_sender_role: Option<String>,
    lm_body: Option<String>,
    lm_read_at: Option<Timestamp>,
    lm_created_at: Option<Timestamp>,
}

/// A dispute was raised on the thread's job (the region's LSMs are in it).
fn disputed() -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(dispute_rows::Entity)
            .and_where(
                Expr::col((dispute_rows::Entity, dispute_rows::Column::JobId))
                    .equals((threads::Entity, threads::Column::JobId)),
            )
            .to_owned(),
    )
}

/// Threads with their region, dispute flag, `reader`'s unread count and the
/// newest message: one round trip per inbox page.
fn select_threads(reader: UserId) -> Select<threads::Entity> {
    let newest = Alias::new("lm");
    let newest_id = Query::select()
        .expr(Expr::col((Alias::new("m2"), messages::Column::Id)).max())
        .from_as(messages::Entity, Alias::new("m2"))
        .and_where(
            Expr::col((Alias::new("m2"), messages::Column::ThreadId))
                .equals((threads::Entity, threads::Column::Id)),
        )
        .to_owned();
    let unread = Query::select()
        .expr(Expr::col((Alias::new("m"), messages::Column::Id)).count())
        .from_as(messages::Entity, Alias::new("m"))
        .and_where(
            Expr::col((Alias::new("m"), messages::Column::ThreadId))
                .equals((threads::Entity, threads::Column::Id)),
        )
        .cond_where(
            Condition::any()
                .add(Expr::col((Alias::new("m"), messages::Column::SenderUserId)).is_null())
                .add(Expr::col((Alias::new("m"), messages::Column::SenderUserId)).ne(reader.0)),
        )
        .and_where(
            Expr::col((Alias::new("m"), messages::Column::Id)).gt(Func::coalesce([
                Expr::col((reads::Entity, reads::Column::LastReadMessageId)),
                Expr::val(0i64),
            ])),
        )
        .to_owned();
    let to_job: RelationDef = threads::Entity::belongs_to(job_rows::Entity)
        .from(threads::Column::JobId)
        .to(job_rows::Column::Id)
        .into();
    let to_receipt: RelationDef = threads::Entity::belongs_to(reads::Entity)
        .from(threads::Column::Id)
        .to(reads::Column::ThreadId)
        .on_condition(move |_, right| {
            Expr::col((right, reads::Column::UserId))
                .eq(reader.0)
                .into_condition()
        })
        .into();
    let to_newest: RelationDef = threads::Entity::belongs_to(messages::Entity)
        .from(threads::Column::Id)
        .to(messages::Column::ThreadId)
        .on_condition(move |_, right| {
            Expr::col((right, messages::Column::Id))
                .eq(Expr::SubQuery(None, Box::new(newest_id.clone().into())))
                .into_condition()
        })
        .into();
    let lm = |c: messages::Column| Expr::col((newest.clone(), c));
    threads::Entity::find()
        .join(JoinType::LeftJoin, to_job)
        .join(JoinType::LeftJoin, to_receipt)
        .join_as(JoinType::LeftJoin, to_newest, newest.clone())
        .column_as(job_rows::Column::RegionCode, "region_code")
        .column_as(disputed(), "disputed")
        .column_as(
            Expr::SubQuery(None, Box::new(unread.into())),
            "unread_count",
        )
        .column_as(lm(messages::Column::Id), "lm_id")
        .column_as(lm(messages::Column::SenderUserId), "lm_sender_user_id")
        .column_as(lm(messages::Column::SenderRole), "lm_sender_role")
        .column_as(lm(messages::Column::Body), "lm_body")
        .column_as(lm(messages::Column::ReadAt), "lm_read_at")
        .column_as(lm(messages::Column::CreatedAt), "lm_created_at")
}

/// The SQL form of messaging's rule (`Thread::visibility`, which decides):
/// a party (hidden while soft-deleted, unless disputed), or an LSM of a
/// disputed job's region; admins are let in by [`ThreadRepository::find_visible`]
/// alone. `tests/disputes.rs` checks the two agree for every kind of viewer.
fn participant_scope(viewer: &Viewer) -> Condition {
    let u = viewer.user_id.0;
    let party = Condition::all()
        .add(
            Condition::any()
                .add(threads::Column::BuyerUserId.eq(u))
                .add(threads::Column::SellerUserId.eq(u)),
        )
        .add(
            Condition::any()
                .add(threads::Column::IsDeleted.eq(false))
                .add(disputed()),
        );
    let mut scope = Condition::any().add(party);
    if let Some(region) = &viewer.lsm_region {
        scope = scope.add(
            Condition::all()
                .add(disputed())
                .add(job_rows::Column::RegionCode.eq(region.as_str())),
        );
    }
    scope
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::backend(format!("unknown {what} {value}"))
}

fn thread_record(row: ThreadRow) -> Result<ThreadRecord, StoreError> {
    let t = row.thread;
    let thread = Thread {
        id: t.id,
        kind: ThreadKind::parse(&t.kind).ok_or_else(|| corrupt("thread kind", &t.kind))?,
        job_id: t.job_id,
        listing_id: t.listing_id,
        buyer_user_id: UserId(t.buyer_user_id),
        seller_user_id: UserId(t.seller_user_id),
        lsm_user_id: t.lsm_user_id.map(UserId),
        subject: t.subject,
        status: ThreadStatus::parse(&t.status)
            .ok_or_else(|| corrupt("thread status", &t.status))?,
        last_message_at: t.last_message_at,
        is_deleted: t.is_deleted,
        region_code: row.region_code,
        disputed: row.disputed,
        created_at: t.created_at,
    };
    let last_message = match (
        row.lm_id,
        row.lm_sender_role,
        row.lm_body,
        row.lm_created_at,
    ) {
        (Some(id), Some(sender_role), Some(body), Some(created_at)) => Some(MessageRecord {
            id,
            thread_id: thread.id,
            sender_user_id: row.lm_sender_user_id.map(UserId),
            sender_role,
            body,
            read_at: row.lm_read_at,
            created_at,
        }),
        _ => None,
    };
    Ok(ThreadRecord {
        thread,
        unread_count: row.unread_count,
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
