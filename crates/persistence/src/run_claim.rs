//! The scheduled jobs' rows in `platform_settings`: a slot's claim (one
//! winner per slot across instances) and a run's lock.

use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::demand_repo::micros;
use crate::entities::platform_settings as settings;
use crate::error::store_err;

/// Claims `slot` for the job keyed `key`: true for the one caller that moves
/// the row's `updated_at` forward to the slot, false for every later one.
pub(crate) async fn claim_slot(
    db: &impl ConnectionTrait,
    key: &str,
    slot: Timestamp,
) -> Result<bool, StoreError> {
    let row = settings::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(serde_json::json!({"slot": slot.to_rfc3339()})),
        updated_by: Set(None),
        updated_at: Set(micros(slot)),
    };
    let stored = Expr::col((settings::Entity, settings::Column::UpdatedAt));
    let offered = Expr::col((Alias::new("excluded"), settings::Column::UpdatedAt));
    let claimed = settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(settings::Column::Key)
                .update_columns([settings::Column::Value, settings::Column::UpdatedAt])
                .action_and_where(stored.lt(offered))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    Ok(claimed == 1)
}

/// Creates the row keyed `key` if missing and locks it, changing nothing: two
/// runs of the job serialise here.
pub(crate) async fn lock_run(db: &impl ConnectionTrait, key: &str) -> Result<(), StoreError> {
    let row = settings::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(serde_json::json!({})),
        updated_by: Set(None),
        updated_at: Set(micros(chrono::DateTime::UNIX_EPOCH)),
    };
    settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(settings::Column::Key)
                .value(
                    settings::Column::Value,
                    Expr::col((settings::Entity, settings::Column::Value)),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    Ok(())
}
