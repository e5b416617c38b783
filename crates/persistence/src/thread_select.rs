//! How the thread store reads threads: the inbox select (the row, its
//! job's region, the dispute flag, the reader's unread count and the newest
//! message in one statement), messaging's visibility as a condition, and the
//! row turned into a record.

use kernel::{StoreError, Timestamp, UserId};
use messaging::ports::{MessageRecord, ThreadRecord};
use messaging::{Thread, ThreadKind, ThreadStatus, Viewer};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, IntoCondition, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, FromQueryResult, JoinType, QuerySelect, RelationDef,
    Select,
};

use crate::entities::{
    disputes as dispute_rows, jobs as job_rows, message_threads as threads, messages,
    thread_reads as reads,
};

/// A thread as the inbox shows it: the row, its job's region, the dispute
/// flag, the reader's unread count and the newest message (`lm_*`, all null
/// for a thread without messages).
#[derive(Debug, FromQueryResult)]
pub(super) struct ThreadRow {
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
pub(super) fn disputed() -> Expr {
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
pub(super) fn select_threads(reader: UserId) -> Select<threads::Entity> {
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
pub(super) fn participant_scope(viewer: &Viewer) -> Condition {
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

pub(super) fn thread_record(row: ThreadRow) -> Result<ThreadRecord, StoreError> {
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
