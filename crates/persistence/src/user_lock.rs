//! The per-user lock that quota checks count under.
//!
//! A quota is counted and the new row inserted in one transaction; two racing
//! requests of one user must not both count the same total. The lock is a
//! write that changes nothing on the user's row, made as the transaction's
//! first statement: on PostgreSQL it takes the row lock (a second request of
//! the same user waits for the first to commit, then counts its row); on
//! SQLite a transaction that writes first waits for the database write lock
//! like any writer, instead of reading first and failing with `SQLITE_BUSY`
//! when it tries to write after another writer's commit.

use kernel::{StoreError, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::users;
use crate::error::store_err;

/// Takes `user`'s lock for the rest of the transaction; [`StoreError::NotFound`]
/// when there is no such user.
pub(crate) async fn lock_user(txn: &impl ConnectionTrait, user: UserId) -> Result<(), StoreError> {
    let locked = users::Entity::update_many()
        .col_expr(
            users::Column::UpdatedAt,
            Expr::col(users::Column::UpdatedAt),
        )
        .filter(users::Column::Id.eq(user.0))
        .exec(txn)
        .await
        .map_err(store_err)?
        .rows_affected;
    if locked == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
