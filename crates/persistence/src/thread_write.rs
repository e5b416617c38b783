//! The statements of a post and of a read receipt, run inside the caller's transaction.

use kernel::StoreError;
use messaging::SenderRole;
use messaging::ports::{MarkRead, MessageRecord, NewInquiry, NewMessage};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{message_threads as threads, messages, thread_reads as reads};
use crate::error::store_err;
use crate::uow::threads::{insert_message, set_first_lsm};

/// Bumps the thread (only if it still takes the message: compare-and-set on
/// its status, so a block that commits first wins), inserts the message and
/// clears both parties' archive so the thread comes back to their inboxes.
pub(super) async fn post(
    db: &impl ConnectionTrait,
    m: &NewMessage,
) -> Result<MessageRecord, StoreError> {
    let mut bump = threads::Entity::update_many()
        .col_expr(threads::Column::LastMessageAt, Expr::value(m.at))
        .filter(threads::Column::Id.eq(m.thread_id));
    if !m.even_if_blocked {
        bump = bump.filter(threads::Column::Status.ne("blocked"));
    }
    if bump.exec(db).await.map_err(store_err)?.rows_affected == 0 {
        return Err(StoreError::Stale);
    }
    if m.role == SenderRole::Lsm {
        // The first LSM to act on a dispute is the thread's LSM (docs/disputes.md).
        set_first_lsm(db, m.thread_id, m.sender).await?;
    }
    let saved = insert_message(
        db,
        m.thread_id,
        Some(m.sender),
        m.role.as_str(),
        m.body.as_str(),
        m.at,
    )
    .await?;
    let [buyer, seller] = m.participants.parties;
    reads::Entity::update_many()
        .col_expr(
            reads::Column::ArchivedAt,
            Expr::value(Option::<kernel::Timestamp>::None),
        )
        .col_expr(reads::Column::UpdatedAt, Expr::value(m.at))
        .filter(reads::Column::ThreadId.eq(m.thread_id))
        .filter(reads::Column::UserId.is_in([buyer.0, seller.0]))
        .filter(reads::Column::ArchivedAt.is_not_null())
        .exec(db)
        .await
        .map_err(store_err)?;
    Ok(saved)
}

/// Sets `read_at` on the counterpart's messages up to the receipt and moves
/// the reader's `last_read_message_id` forward (never back). Returns the
/// message id the receipt covers, or `None` for a thread without messages.
pub(super) async fn mark_read(
    db: &impl ConnectionTrait,
    r: &MarkRead,
) -> Result<Option<i64>, StoreError> {
    let newest = messages::Entity::find()
        .select_only()
        .column_as(messages::Column::Id.max(), "newest")
        .filter(messages::Column::ThreadId.eq(r.thread_id))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map_err(store_err)?
        .flatten();
    let Some(newest) = newest else {
        return Ok(None);
    };
    let up_to = r.up_to_message_id.map_or(newest, |n| Ord::min(n, newest));
    if let Some(counterpart) = r.counterpart {
        messages::Entity::update_many()
            .col_expr(messages::Column::ReadAt, Expr::value(r.at))
            .filter(messages::Column::ThreadId.eq(r.thread_id))
            .filter(messages::Column::SenderUserId.eq(counterpart.0))
            .filter(messages::Column::Id.lte(up_to))
            .filter(messages::Column::ReadAt.is_null())
            .exec(db)
            .await
            .map_err(store_err)?;
    }
    // Forward only: the stored receipt unless the new one is past it.
    let stored = Expr::col((reads::Entity, reads::Column::LastReadMessageId));
    let given = Expr::col((Alias::new("excluded"), reads::Column::LastReadMessageId));
    let forward = Expr::case(
        stored
            .clone()
            .is_null()
            .or(stored.clone().lt(given.clone())),
        given,
    )
    .finally(stored);
    let receipt = reads::ActiveModel {
        thread_id: Set(r.thread_id),
        user_id: Set(r.reader.0),
        last_read_message_id: Set(Some(up_to)),
        updated_at: Set(r.at),
        archived_at: NotSet,
    };
    reads::Entity::insert(receipt)
        .on_conflict(
            OnConflict::columns([reads::Column::ThreadId, reads::Column::UserId])
                .value(reads::Column::LastReadMessageId, forward)
                .update_column(reads::Column::UpdatedAt)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    Ok(Some(up_to))
}

/// The condition of the partial unique index on (listing, buyer), as
/// migration 000018 writes it: SQLite accepts the conflict target only when
/// its condition matches the index's, and a bound `kind = ?` does not.
const LISTING_THREAD_INDEX: &str = "kind = 'listing' AND listing_id IS NOT NULL";

/// The buyer's inquiry thread on the listing: inserted unless it exists (the
/// partial unique index makes two racing first inquiries meet in one thread),
/// then read back. A soft-deleted inquiry thread is reused as it is.
pub(super) async fn listing_thread(
    db: &impl ConnectionTrait,
    q: &NewInquiry,
) -> Result<uuid::Uuid, StoreError> {
    let row = threads::ActiveModel {
        id: Set(q.thread_id),
        kind: Set("listing".into()),
        job_id: Set(None),
        listing_id: Set(Some(q.listing_id)),
        buyer_user_id: Set(q.buyer.0),
        seller_user_id: Set(q.seller.0),
        lsm_user_id: Set(None),
        subject: Set(q.subject.clone()),
        status: Set("active".into()),
        last_message_at: Set(q.at),
        is_deleted: Set(false),
        deleted_at: Set(None),
        deleted_by: Set(None),
        created_at: Set(q.at),
    };
    threads::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([threads::Column::ListingId, threads::Column::BuyerUserId])
                .target_and_where(Expr::cust(LISTING_THREAD_INDEX))
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    threads::Entity::find()
        .select_only()
        .column(threads::Column::Id)
        .filter(threads::Column::Kind.eq("listing"))
        .filter(threads::Column::ListingId.eq(q.listing_id))
        .filter(threads::Column::BuyerUserId.eq(q.buyer.0))
        .into_tuple::<uuid::Uuid>()
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)
}
