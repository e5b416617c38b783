//! Dispute evidence as rows (SPEC §3 Disputes, §4 Disputes): the JSON
//! `disputes.attachments` keeps the ids for the record, and
//! `dispute_attachments` lets "who may read this attachment" be one indexed
//! join on both backends instead of a search inside JSON arrays. An
//! attachment is evidence for at most one dispute, so a file uploaded for one
//! dispute cannot be re-used to widen who may read it.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds the dispute-to-attachment link.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![dispute_attachments()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("dispute_attachments", &["attachment_id"]),
        index("dispute_attachments", &["dispute_id"]),
    ]
}

fn dispute_attachments() -> TableCreateStatement {
    const T: &str = "dispute_attachments";
    Table::create()
        .table(T)
        .col(id_ref("dispute_id"))
        .col(uuid_ref("attachment_id"))
        .primary_key(&mut named_pk(T, &["dispute_id", "attachment_id"]))
        .foreign_key(fk(T, "dispute_id", "disputes", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(&mut fk(T, "attachment_id", "attachments", "id"))
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
