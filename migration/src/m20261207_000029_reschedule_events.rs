//! Reschedule history (issue 19): three more job event kinds,
//! `reschedule_proposed`, `reschedule_approved` and `reschedule_declined`.
//!
//! PostgreSQL replaces the `ck_job_events_kind` constraint. SQLite cannot
//! change a CHECK, so the table is rebuilt from its own stored definition
//! with the longer list, its rows copied and its indexes created again from
//! their stored statements (nothing refers to `job_events`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

/// Widens the job event kinds.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "'disputed', 'rated'";
const NEW: &str = "'disputed', 'rated', 'reschedule_proposed', 'reschedule_approved', \
                   'reschedule_declined'";

async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared(sql).await?;
    Ok(())
}

/// PostgreSQL: the constraint with `kinds`.
async fn postgres(manager: &SchemaManager<'_>, kinds: &str) -> Result<(), DbErr> {
    run(
        manager,
        "ALTER TABLE job_events DROP CONSTRAINT ck_job_events_kind",
    )
    .await?;
    run(
        manager,
        &format!(
            "ALTER TABLE job_events ADD CONSTRAINT ck_job_events_kind CHECK (kind IN (\
             'created', 'accepted', 'rejected', 'edited', 'changes_approved', \
             'changes_declined', 'cancelled', 'completed', 'paid', 'deadline_missed', {kinds}))"
        ),
    )
    .await
}

/// SQLite: the table rebuilt with `from` replaced by `to` in its definition.
async fn sqlite(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'job_events' AND sql IS NOT NULL",
        ))
        .await?;
    let mut table = None;
    let mut indexes = Vec::new();
    for row in rows {
        let kind: String = row.try_get("", "type")?;
        let sql: String = row.try_get("", "sql")?;
        if kind == "table" {
            table = Some(sql);
        } else {
            indexes.push(sql);
        }
    }
    let table = table.ok_or_else(|| DbErr::Custom("job_events has no definition".into()))?;
    if !table.contains(from) {
        return Err(DbErr::Custom(
            "job_events' kinds are not the expected ones".into(),
        ));
    }
    let rebuilt = table.replacen(from, to, 1).replacen(
        "CREATE TABLE \"job_events\"",
        "CREATE TABLE \"job_events_next\"",
        1,
    );
    // One batch, so every statement runs on the same pooled connection: a
    // second connection may still read the schema from before the drop.
    let mut batch = vec![
        rebuilt,
        "INSERT INTO job_events_next SELECT * FROM job_events".to_owned(),
        "DROP TABLE job_events".to_owned(),
        "ALTER TABLE job_events_next RENAME TO job_events".to_owned(),
    ];
    batch.extend(indexes);
    run(manager, &batch.join(";\n")).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            postgres(manager, NEW).await
        } else {
            sqlite(manager, OLD, NEW).await
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            "DELETE FROM job_events WHERE kind IN \
             ('reschedule_proposed', 'reschedule_approved', 'reschedule_declined')",
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            postgres(manager, OLD).await
        } else {
            sqlite(manager, NEW, OLD).await
        }
    }
}
