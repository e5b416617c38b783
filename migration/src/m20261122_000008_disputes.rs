//! Disputes (SPEC §3 Disputes): `attachments` (UUID ids, metadata of files
//! kept in object storage) and `disputes`.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the dispute tables.
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
    vec![attachments(), disputes()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        index("attachments", &["owner_user_id"]),
        unique("attachments", &["storage_key"]),
        // One open dispute per job.
        unique("disputes", &["job_id"]).when("status = 'pending'"),
        index("disputes", &["job_id"]),
        index("disputes", &["status", "created_at"]),
        index("disputes", &["thread_id"]).when("thread_id IS NOT NULL"),
        index("disputes", &["raised_by_id"]),
    ]
}

fn attachments() -> TableCreateStatement {
    const T: &str = "attachments";
    Table::create()
        .table(T)
        .col(uuid_id())
        .col(id_ref("owner_user_id"))
        .col(varchar("file_name", 255))
        .col(varchar("content_type", 100))
        .col(bigint("size_bytes"))
        // Hex SHA-256 of the content.
        .col(varchar("sha256", 64))
        .col(varchar("storage_key", 512))
        .col(created_at())
        .foreign_key(&mut fk(T, "owner_user_id", "users", "id"))
        .check(non_negative(T, "size_bytes"))
        .take()
}

fn disputes() -> TableCreateStatement {
    const T: &str = "disputes";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("job_id"))
        .col(uuid_ref_null("thread_id"))
        .col(id_ref("raised_by_id"))
        .col(varchar("raised_by_type", 32))
        .col(text("description"))
        // JSON array of attachment ids (UUID strings).
        .col(json("attachments", "[]"))
        .col(state("status", "pending"))
        .col(varchar_null("outcome", 32))
        .col(id_ref_null("resolved_by"))
        .col(text_null("resolution_notes"))
        .col(created_at())
        .col(ts_null("resolved_at"))
        .foreign_key(&mut fk(T, "job_id", "jobs", "id"))
        .foreign_key(&mut fk(T, "thread_id", "message_threads", "id"))
        .foreign_key(&mut fk(T, "raised_by_id", "users", "id"))
        .foreign_key(fk(T, "resolved_by", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .check(one_of(
            T,
            "raised_by_type",
            &["customer", "service_provider"],
        ))
        .check(one_of(T, "status", &["pending", "resolved"]))
        .check(one_of(
            T,
            "outcome",
            &[
                "in_favor_of_customer",
                "in_favor_of_provider",
                "split",
                "dismissed",
            ],
        ))
        .take()
}
