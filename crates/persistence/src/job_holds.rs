//! The ranges jobs booked by slot hold (issue 19): a new job's hold, and
//! what a transition does to them ([`jobs::slots::SlotChange`]).
//!
//! Two live ranges of one provider never overlap. PostgreSQL's exclusion
//! constraint `ex_slot_holds_overlap` refuses the second insert or revival
//! (mapped to [`Constraint::SlotTaken`]); SQLite has no such constraint, so
//! after the write — which holds SQLite's one write lock until the
//! transaction ends — the store looks for an overlap and refuses the same way.

use jobs::slots::{NewHold, SlotChange};
use kernel::{Constraint, ProviderId, StoreError, Timestamp};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, NotSet, PaginatorTrait,
    QueryFilter,
};

use crate::entities::slot_holds;
use crate::error::store_err;

/// Inserts a new job's hold.
pub(crate) async fn hold(
    txn: &impl ConnectionTrait,
    provider: ProviderId,
    job: i64,
    h: &NewHold,
    at: Timestamp,
) -> Result<(), StoreError> {
    slot_holds::Entity::insert(slot_holds::ActiveModel {
        id: NotSet,
        provider_id: Set(provider.0),
        job_id: Set(job),
        kind: Set("hold".to_owned()),
        slot_start: Set(h.slot_start),
        start_at: Set(h.range.start),
        end_at: Set(h.range.end),
        expires_at: Set(Some(h.expires_at)),
        released_at: Set(None),
        proposed_by: Set(None),
        created_at: Set(at),
    })
    .exec_without_returning(txn)
    .await
    .map_err(store_err)?;
    refuse_overlap(txn, provider, job).await
}

/// Applies a transition's change to the job's ranges.
pub(crate) async fn change(
    txn: &impl ConnectionTrait,
    provider: ProviderId,
    job: i64,
    slots: SlotChange,
    at: Timestamp,
) -> Result<(), StoreError> {
    match slots {
        SlotChange::Keep => Ok(()),
        SlotChange::Release => {
            slot_holds::Entity::update_many()
                .col_expr(slot_holds::Column::ReleasedAt, Expr::val(at))
                .filter(slot_holds::Column::JobId.eq(job))
                .filter(slot_holds::Column::ReleasedAt.is_null())
                .exec(txn)
                .await
                .map_err(store_err)?;
            Ok(())
        }
        SlotChange::Book => {
            slot_holds::Entity::update_many()
                .col_expr(slot_holds::Column::Kind, Expr::val("booking"))
                .col_expr(
                    slot_holds::Column::ExpiresAt,
                    Expr::val(Option::<Timestamp>::None),
                )
                .col_expr(
                    slot_holds::Column::ReleasedAt,
                    Expr::val(Option::<Timestamp>::None),
                )
                .filter(slot_holds::Column::JobId.eq(job))
                .filter(slot_holds::Column::Kind.eq("hold"))
                .exec(txn)
                .await
                .map_err(store_err)?;
            refuse_overlap(txn, provider, job).await
        }
        SlotChange::Propose(h, by) => {
            slot_holds::Entity::insert(slot_holds::ActiveModel {
                id: NotSet,
                provider_id: Set(provider.0),
                job_id: Set(job),
                kind: Set("proposal".to_owned()),
                slot_start: Set(h.slot_start),
                start_at: Set(h.range.start),
                end_at: Set(h.range.end),
                expires_at: Set(None),
                released_at: Set(None),
                proposed_by: Set(Some(by.as_str().to_owned())),
                created_at: Set(at),
            })
            .exec_without_returning(txn)
            .await
            .map_err(store_err)?;
            refuse_overlap(txn, provider, job).await
        }
        SlotChange::Approve { booked, expires_at } => {
            slot_holds::Entity::update_many()
                .col_expr(slot_holds::Column::ReleasedAt, Expr::val(at))
                .filter(slot_holds::Column::JobId.eq(job))
                .filter(slot_holds::Column::Kind.ne("proposal"))
                .filter(slot_holds::Column::ReleasedAt.is_null())
                .exec(txn)
                .await
                .map_err(store_err)?;
            slot_holds::Entity::update_many()
                .col_expr(
                    slot_holds::Column::Kind,
                    Expr::val(if booked { "booking" } else { "hold" }),
                )
                .col_expr(slot_holds::Column::ExpiresAt, Expr::val(expires_at))
                .filter(slot_holds::Column::JobId.eq(job))
                .filter(slot_holds::Column::Kind.eq("proposal"))
                .filter(slot_holds::Column::ReleasedAt.is_null())
                .exec(txn)
                .await
                .map_err(store_err)?;
            Ok(())
        }
        SlotChange::Decline => {
            slot_holds::Entity::update_many()
                .col_expr(slot_holds::Column::ReleasedAt, Expr::val(at))
                .filter(slot_holds::Column::JobId.eq(job))
                .filter(slot_holds::Column::Kind.eq("proposal"))
                .filter(slot_holds::Column::ReleasedAt.is_null())
                .exec(txn)
                .await
                .map_err(store_err)?;
            Ok(())
        }
    }
}

/// The reschedule proposal of `job` awaiting its answer.
pub(crate) async fn pending_proposal(
    db: &impl ConnectionTrait,
    job: i64,
) -> Result<Option<jobs::reschedule::Proposal>, StoreError> {
    slot_holds::Entity::find()
        .filter(slot_holds::Column::JobId.eq(job))
        .filter(slot_holds::Column::Kind.eq("proposal"))
        .filter(slot_holds::Column::ReleasedAt.is_null())
        .one(db)
        .await
        .map_err(store_err)?
        .map(|h| {
            let by = match h.proposed_by.as_deref() {
                Some("customer") => jobs::Party::Customer,
                Some("service_provider") => jobs::Party::Provider,
                other => return Err(StoreError::backend(format!("unknown proposer {other:?}"))),
            };
            Ok(jobs::reschedule::Proposal {
                slot_start: h.slot_start,
                by,
            })
        })
        .transpose()
}

/// Releases every live range of a provider (its ban).
pub(crate) async fn release_provider(
    txn: &impl ConnectionTrait,
    provider: ProviderId,
    at: Timestamp,
) -> Result<(), StoreError> {
    slot_holds::Entity::update_many()
        .col_expr(slot_holds::Column::ReleasedAt, Expr::val(at))
        .filter(slot_holds::Column::ProviderId.eq(provider.0))
        .filter(slot_holds::Column::ReleasedAt.is_null())
        .exec(txn)
        .await
        .map_err(store_err)?;
    Ok(())
}

/// SQLite only: a live range of `job` overlapping another live range of the
/// provider is [`Constraint::SlotTaken`] (PostgreSQL's constraint did it).
async fn refuse_overlap(
    txn: &impl ConnectionTrait,
    provider: ProviderId,
    job: i64,
) -> Result<(), StoreError> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let mine = slot_holds::Entity::find()
        .filter(slot_holds::Column::JobId.eq(job))
        .filter(slot_holds::Column::ReleasedAt.is_null())
        .all(txn)
        .await
        .map_err(store_err)?;
    for h in mine {
        let others = slot_holds::Entity::find()
            .filter(slot_holds::Column::ProviderId.eq(provider.0))
            .filter(slot_holds::Column::JobId.ne(job))
            .filter(slot_holds::Column::ReleasedAt.is_null())
            .filter(slot_holds::Column::StartAt.lt(h.end_at))
            .filter(slot_holds::Column::EndAt.gt(h.start_at))
            .count(txn)
            .await
            .map_err(store_err)?;
        if others > 0 {
            return Err(StoreError::Conflict(Constraint::SlotTaken));
        }
    }
    Ok(())
}
