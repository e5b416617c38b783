//! Jobs (SPEC §3 Jobs): `jobs`, `job_events`, `ratings_feedback`.
//!
//! `jobs.customer_id` and `ratings_feedback.customer_id` are user ids (the
//! customer is a `users` row with the customer role), as every actor id is.
//! `jobs.thread_id` has no foreign key: the link is owned by
//! `message_threads.job_id` (unique when set), and a key in both directions
//! would be a cycle that SQLite cannot create.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the job tables.
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
    vec![jobs(), job_events(), ratings_feedback()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        index("jobs", &["customer_id"]),
        index("jobs", &["provider_id", "status"]),
        // The response-deadline sweep: `status = 'new' AND response_deadline < now`.
        index("jobs", &["status", "response_deadline"]),
        index("jobs", &["service_id"]),
        // LSM views of one region.
        index("jobs", &["region_code", "status"]),
        unique("jobs", &["thread_id"]).when("thread_id IS NOT NULL"),
        index("job_events", &["job_id", "created_at"]),
        unique("ratings_feedback", &["job_id"]),
        index("ratings_feedback", &["provider_id"]),
        index("ratings_feedback", &["customer_id"]),
    ]
}

const JOB_STATUSES: &[&str] = &[
    "new",
    "in_progress",
    "completed",
    "cancelled",
    "paid",
    "rejected_by_sp",
];

const JOB_EVENT_KINDS: &[&str] = &[
    "created",
    "accepted",
    "rejected",
    "edited",
    "changes_approved",
    "changes_declined",
    "cancelled",
    "completed",
    "paid",
    "deadline_missed",
    "disputed",
    "rated",
];

fn jobs() -> TableCreateStatement {
    const T: &str = "jobs";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("customer_id"))
        .col(id_ref("provider_id"))
        .col(id_ref("service_id"))
        .col(uuid_ref_null("thread_id"))
        .col(state("status", "new"))
        .col(text("description"))
        // Answers to the service's intake questions, `{key: value}`.
        .col(json("answers_json", "{}"))
        .col(cents_null("price_cents"))
        .col(currency())
        .col(ts_null("scheduled_at"))
        .col(varchar("zipcode", 10))
        .col(varchar("region_code", 32))
        .col(text_null("address"))
        .col(flag("pending_approval"))
        .col(ts("response_deadline"))
        .col(ts_null("responded_at"))
        .col(text_null("rejection_reason"))
        .col(text_null("cancellation_reason"))
        .col(ts_null("completed_at"))
        .col(ts_null("paid_at"))
        .col(flag("deadline_warning_issued"))
        .col(version())
        .col(created_at())
        .col(updated_at())
        .foreign_key(&mut fk(T, "customer_id", "users", "id"))
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .foreign_key(&mut fk(T, "service_id", "services", "id"))
        .foreign_key(&mut fk(T, "region_code", "regions", "code"))
        .check(one_of(T, "status", JOB_STATUSES))
        .check(non_negative(T, "price_cents"))
        .take()
}

fn job_events() -> TableCreateStatement {
    const T: &str = "job_events";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("job_id"))
        // NULL for the system (e.g. the deadline sweep).
        .col(id_ref_null("actor_user_id"))
        .col(varchar_null("actor_role", 32))
        .col(varchar("kind", 32))
        // E.g. before/after of an edit.
        .col(json_null("data"))
        .col(created_at())
        .foreign_key(fk(T, "job_id", "jobs", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(fk(T, "actor_user_id", "users", "id").on_delete(ForeignKeyAction::SetNull))
        .check(one_of(T, "kind", JOB_EVENT_KINDS))
        .take()
}

fn ratings_feedback() -> TableCreateStatement {
    const T: &str = "ratings_feedback";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("job_id"))
        .col(id_ref("customer_id"))
        .col(id_ref("provider_id"))
        .col(ColumnDef::new("rating").integer().not_null())
        .col(ColumnDef::new("punctuality_rating").integer().not_null())
        .col(ColumnDef::new("response_time").integer().not_null())
        .col(text_null("feedback"))
        .col(created_at())
        .foreign_key(&mut fk(T, "job_id", "jobs", "id"))
        .foreign_key(&mut fk(T, "customer_id", "users", "id"))
        .foreign_key(&mut fk(T, "provider_id", "service_providers", "id"))
        .check(stars(T, "rating"))
        .check(stars(T, "punctuality_rating"))
        .check(stars(T, "response_time"))
        .take()
}
