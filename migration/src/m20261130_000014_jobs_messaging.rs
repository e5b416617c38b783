//! Jobs and messaging at work (SPEC §3 Jobs, Messaging; §4 Messaging):
//! - `user_events` and `user_event_counters`: the durable real-time feed, one
//!   sequence per user (the counter row is the per-user lock that hands out
//!   the next `seq` inside the transaction of the change);
//! - `thread_reads.archived_at`: archive is per user;
//! - per-provider figures kept on write and refreshed daily, so search reads
//!   them instead of aggregating ratings and jobs on every request;
//! - a partial unique index on `job_events (job_id, kind)` for the kinds that
//!   happen at most once per job, so two servers can never record the same
//!   transition twice whatever the application does.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds the real-time feed, per-user archive, provider figures and the once-only event index.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// Kinds a job records at most once.
pub(crate) const ONCE_PER_JOB: &str = "kind IN ('created', 'accepted', 'rejected', 'cancelled', 'completed', 'paid', 'deadline_missed', 'rated')";

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![user_event_counters(), user_events()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("user_events", &["user_id", "seq"]),
        // Pruning events older than the kept window.
        index("user_events", &["created_at"]),
        unique("job_events", &["job_id", "kind"])
            .when(ONCE_PER_JOB)
            .named("uq_job_events_job_id_kind_once"),
    ]
}

fn user_event_counters() -> TableCreateStatement {
    const T: &str = "user_event_counters";
    Table::create()
        .table(T)
        .col(
            ColumnDef::new("user_id")
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new("last_seq")
                .big_integer()
                .not_null()
                .default(0),
        )
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .take()
}

fn user_events() -> TableCreateStatement {
    const T: &str = "user_events";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(ColumnDef::new("seq").big_integer().not_null())
        .col(varchar("kind", 32))
        .col(json_required("data"))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .check(one_of(
            T,
            "kind",
            &[
                "message.created",
                "thread.read",
                "notification",
                "job.updated",
                "dispute.updated",
            ],
        ))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("thread_reads")
                    .add_column(
                        ColumnDef::new("archived_at")
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .take(),
            )
            .await?;
        // SQLite adds one column per ALTER.
        for col in [
            ColumnDef::new("rating_sum")
                .big_integer()
                .not_null()
                .default(0)
                .take(),
            ColumnDef::new("rating_count")
                .big_integer()
                .not_null()
                .default(0)
                .take(),
            ColumnDef::new("completed_jobs")
                .big_integer()
                .not_null()
                .default(0)
                .take(),
            ColumnDef::new("median_response_minutes")
                .integer()
                .null()
                .take(),
            ColumnDef::new("response_rate").double().null().take(),
            ColumnDef::new("stats_refreshed_at")
                .timestamp_with_time_zone()
                .null()
                .take(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("service_providers")
                        .add_column(col)
                        .take(),
                )
                .await?;
        }
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await?;
        let conn = manager.get_connection();
        conn.execute_unprepared("DROP INDEX IF EXISTS uq_job_events_job_id_kind_once")
            .await?;
        for col in [
            "rating_sum",
            "rating_count",
            "completed_jobs",
            "median_response_minutes",
            "response_rate",
            "stats_refreshed_at",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("service_providers")
                        .drop_column(col)
                        .take(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("thread_reads")
                    .drop_column("archived_at")
                    .take(),
            )
            .await
    }
}
