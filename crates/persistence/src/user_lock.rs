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
use sea_orm::ConnectionTrait;

use crate::sql::exec;

/// Takes `user`'s lock for the rest of the transaction; [`StoreError::NotFound`]
/// when there is no such user.
pub(crate) async fn lock_user(txn: &impl ConnectionTrait, user: UserId) -> Result<(), StoreError> {
    let locked = exec(
        txn,
        "UPDATE users SET updated_at = updated_at WHERE id = ?",
        vec![user.0.into()],
    )
    .await?;
    if locked == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
