//! Reminders of booked jobs (issue 19): one row per job and start, written in
//! the transaction that sends the reminder. The unique key is the claim: of
//! several instances, one inserts and sends; a rescheduled job has a new
//! start and so a new reminder.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds `job_reminders`.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables of this migration.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![job_reminders()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![unique("job_reminders", &["job_id", "scheduled_at"])]
}

fn job_reminders() -> TableCreateStatement {
    const T: &str = "job_reminders";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("job_id"))
        .col(ts("scheduled_at"))
        .col(created_at())
        .foreign_key(fk(T, "job_id", "jobs", "id").on_delete(ForeignKeyAction::Cascade))
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
