//! What ends an access token before its `exp` (SPEC §4 Accounts; issue 17).
//!
//! `revoked_sessions` is an append-only log written in the transaction of the
//! cause: a session (refresh-token family) logged out, revoked, or revoked by a
//! password change or reset (`kind = 'session'`, `session_id` set), an account
//! closed (`'closed'`) or banned (`'disabled'`). Every instance reads the rows
//! newer than its last into a per-instance set that the bearer check and the
//! sockets consult; rows older than an access token's lifetime matter no more
//! and are pruned.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds the revocation log.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables of this migration.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![revoked_sessions()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![index("revoked_sessions", &["created_at"])]
}

fn revoked_sessions() -> TableCreateStatement {
    const T: &str = "revoked_sessions";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar_null("session_id", 64))
        .col(varchar("kind", 32))
        .col(created_at())
        .check(one_of(T, "kind", &["session", "closed", "disabled"]))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await
    }
}
