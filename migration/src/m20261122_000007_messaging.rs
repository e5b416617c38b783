//! Messaging (SPEC §3 Messaging): `message_threads` (UUID ids), `messages`,
//! `thread_reads`. One model serves job chats, listing inquiries and
//! disputes (which add the region's LSM to the job thread).

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the messaging tables.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await
    }
}

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![message_threads(), messages(), thread_reads()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        // One thread per job.
        unique("message_threads", &["job_id"]).when("job_id IS NOT NULL"),
        index(
            "message_threads",
            &["buyer_user_id", "last_message_at DESC"],
        ),
        index(
            "message_threads",
            &["seller_user_id", "last_message_at DESC"],
        ),
        index("message_threads", &["lsm_user_id"]).when("lsm_user_id IS NOT NULL"),
        index("message_threads", &["listing_id"]).when("listing_id IS NOT NULL"),
        index("messages", &["thread_id", "created_at DESC"]),
        // Unread messages of a thread.
        index("messages", &["thread_id", "read_at"]),
        index("messages", &["sender_user_id", "created_at DESC"])
            .when("sender_user_id IS NOT NULL"),
        index("thread_reads", &["user_id"]),
    ]
}

fn message_threads() -> TableCreateStatement {
    const T: &str = "message_threads";
    Table::create()
        .table(T)
        .col(uuid_id())
        .col(varchar("kind", 16))
        .col(id_ref_null("job_id"))
        .col(id_ref_null("listing_id"))
        .col(id_ref("buyer_user_id"))
        .col(id_ref("seller_user_id"))
        // Set when a dispute adds the region's LSM.
        .col(id_ref_null("lsm_user_id"))
        .col(varchar_null("subject", 255))
        .col(state("status", "active"))
        // Starts at creation time, so inbox ordering never meets NULLs (which
        // sort first in PostgreSQL and last in SQLite under DESC).
        .col(ts_now("last_message_at"))
        .col(flag("is_deleted"))
        .col(ts_null("deleted_at"))
        .col(id_ref_null("deleted_by"))
        .col(created_at())
        .foreign_key(&mut fk(T, "job_id", "jobs", "id"))
        .foreign_key(
            fk(T, "listing_id", "service_listings", "id").on_delete(ForeignKeyAction::SetNull),
        )
        .foreign_key(&mut fk(T, "buyer_user_id", "users", "id"))
        .foreign_key(&mut fk(T, "seller_user_id", "users", "id"))
        .foreign_key(fk(T, "lsm_user_id", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .foreign_key(fk(T, "deleted_by", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .check(one_of(T, "kind", &["job", "listing"]))
        .check(one_of(T, "status", &["active", "archived", "blocked"]))
        .take()
}

fn messages() -> TableCreateStatement {
    const T: &str = "messages";
    Table::create()
        .table(T)
        .col(id())
        .col(uuid_ref("thread_id"))
        // NULL for system messages.
        .col(id_ref_null("sender_user_id"))
        .col(varchar("sender_role", 32))
        .col(text("body"))
        // When the counterpart read it.
        .col(ts_null("read_at"))
        .col(created_at())
        .foreign_key(
            fk(T, "thread_id", "message_threads", "id").on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(fk(T, "sender_user_id", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .check(one_of(
            T,
            "sender_role",
            &["customer", "service_provider", "lsm", "admin", "system"],
        ))
        .check(check(
            T,
            "body",
            Expr::cust("length(body) BETWEEN 1 AND 4000"),
        ))
        .take()
}

fn thread_reads() -> TableCreateStatement {
    const T: &str = "thread_reads";
    Table::create()
        .table(T)
        .col(uuid_ref("thread_id"))
        .col(id_ref("user_id"))
        .col(id_ref_null("last_read_message_id"))
        .col(updated_at())
        .primary_key(&mut named_pk(T, &["thread_id", "user_id"]))
        .foreign_key(
            fk(T, "thread_id", "message_threads", "id").on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(
            fk(T, "last_read_message_id", "messages", "id").on_delete(ForeignKeyAction::SetNull),
        )
        .take()
}
