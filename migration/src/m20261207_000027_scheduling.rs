//! Scheduling (issue 19): a provider's hours, its services' timing, its
//! cancellation policy, and the holds that keep bookings from overlapping.
//!
//! - `provider_schedules`: one row per provider that set anything — its own
//!   time zone (null: its region's) and its cancellation policy;
//! - `provider_availability_rules`: the weekly set, replaced whole;
//! - `provider_availability_exceptions`: time off and extra hours;
//! - `provider_service_timings`: the timing a provider set for one offered
//!   service (a null column is the platform default);
//! - `slot_holds`: one row per held range of a job (buffers included), live
//!   while `released_at` is null. On PostgreSQL the exclusion constraint
//!   `ex_slot_holds_overlap` refuses two live overlapping ranges of one
//!   provider (`btree_gist`, shipped with PostgreSQL); SQLite has no such
//!   constraint and the store checks after taking the write lock.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::util::*;

/// Adds the scheduling tables.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables of this migration.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![
        provider_schedules(),
        availability_rules(),
        availability_exceptions(),
        service_timings(),
        slot_holds(),
    ]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        index("provider_availability_rules", &["provider_id"]),
        index(
            "provider_availability_exceptions",
            &["provider_id", "end_at"],
        ),
        unique("provider_service_timings", &["provider_id", "service_id"]),
        index("slot_holds", &["provider_id", "start_at"]).when("released_at IS NULL"),
        index("slot_holds", &["job_id"]),
        index("slot_holds", &["expires_at"]).when("released_at IS NULL AND expires_at IS NOT NULL"),
        unique("provider_schedules", &["calendar_token_hash"]),
        // One reschedule proposal awaits its answer per job.
        unique("slot_holds", &["job_id"])
            .when("kind = 'proposal' AND released_at IS NULL")
            .named("uq_slot_holds_job_id_proposal"),
    ]
}

fn provider_schedules() -> TableCreateStatement {
    const T: &str = "provider_schedules";
    Table::create()
        .table(T)
        .col(
            ColumnDef::new("provider_id")
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(varchar_null("time_zone", 64))
        .col(state("cancellation_policy", "flexible"))
        .col(int_null("cancellation_window_hours"))
        .col(int_null("cancellation_fee_bps"))
        .col(varchar_null("calendar_token_hash", 64))
        .col(updated_at())
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .check(one_of(
            T,
            "cancellation_policy",
            &["flexible", "moderate", "strict", "custom"],
        ))
        .take()
}

fn availability_rules() -> TableCreateStatement {
    const T: &str = "provider_availability_rules";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        .col(int("weekday", 1))
        .col(int("start_minute", 0))
        .col(int("end_minute", 0))
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .check(check(T, "weekday", Expr::col("weekday").between(1, 7)))
        .check(check(
            T,
            "end_minute",
            Expr::col("start_minute")
                .gte(0)
                .and(Expr::col("end_minute").gt(Expr::col("start_minute")))
                .and(Expr::col("end_minute").lte(1440)),
        ))
        .take()
}

fn availability_exceptions() -> TableCreateStatement {
    const T: &str = "provider_availability_exceptions";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        .col(varchar("kind", 16))
        .col(ts("start_at"))
        .col(ts("end_at"))
        .col(varchar("reason", 200))
        .col(created_at())
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .check(one_of(T, "kind", &["time_off", "extra_hours"]))
        .check(check(
            T,
            "end_at",
            Expr::col("end_at").gt(Expr::col("start_at")),
        ))
        .take()
}

fn service_timings() -> TableCreateStatement {
    const T: &str = "provider_service_timings";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        .col(id_ref("service_id"))
        .col(int_null("duration_minutes"))
        .col(int_null("slot_interval_minutes"))
        .col(int_null("buffer_before_minutes"))
        .col(int_null("buffer_after_minutes"))
        .col(int_null("min_notice_minutes"))
        .col(int_null("horizon_days"))
        .col(updated_at())
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .foreign_key(&mut fk(T, "service_id", "services", "id"))
        .take()
}

fn slot_holds() -> TableCreateStatement {
    const T: &str = "slot_holds";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        .col(id_ref("job_id"))
        .col(varchar("kind", 16))
        .col(ts("slot_start"))
        .col(ts("start_at"))
        .col(ts("end_at"))
        .col(ts_null("expires_at"))
        .col(ts_null("released_at"))
        // A proposal's party: `customer` or `service_provider`.
        .col(varchar_null("proposed_by", 32))
        .col(created_at())
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .foreign_key(&mut fk(T, "job_id", "jobs", "id"))
        .check(one_of(T, "kind", &["hold", "booking", "proposal"]))
        .check(check(
            T,
            "end_at",
            Expr::col("end_at").gt(Expr::col("start_at")),
        ))
        .take()
}

const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    // Ranges of one job may overlap (its booking and a reschedule proposal);
    // ranges of two jobs may not.
    "ALTER TABLE slot_holds ADD CONSTRAINT ex_slot_holds_overlap EXCLUDE USING gist \
     (provider_id WITH =, job_id WITH <>, tstzrange(start_at, end_at) WITH &&) \
     WHERE (released_at IS NULL)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            for sql in POSTGRES_UP {
                manager.get_connection().execute_unprepared(sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await
    }
}
