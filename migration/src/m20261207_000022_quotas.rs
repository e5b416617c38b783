//! Quotas of issue 17:
//!
//! - `provider_warnings`: the deadline warnings that counted against a
//!   provider, one row per warned job with the customer who booked it, so the
//!   sweep can count at most one warning per customer per day
//!   (`jobs::warnings::counts`) from durable data on every instance;
//! - an index for the per-customer count of open requests
//!   (`jobs (customer_id, status)`), and one for the per-user upload counts
//!   (`attachments (owner_user_id, created_at)`). Chat posts are counted with
//!   the existing `messages (sender_user_id, created_at)` index.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds the counted-warnings table and the quota indexes.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![provider_warnings()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("provider_warnings", &["job_id"]),
        index(
            "provider_warnings",
            &["provider_id", "customer_id", "created_at"],
        ),
        index("jobs", &["customer_id", "status"]),
        index("attachments", &["owner_user_id", "created_at"]),
    ]
}

fn provider_warnings() -> TableCreateStatement {
    const T: &str = "provider_warnings";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("provider_id"))
        .col(id_ref("customer_id"))
        .col(id_ref("job_id"))
        .col(created_at())
        .foreign_key(
            fk(T, "provider_id", "service_providers", "id").on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(fk(T, "customer_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .foreign_key(fk(T, "job_id", "jobs", "id").on_delete(ForeignKeyAction::Cascade))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for idx in indexes() {
            if !idx.name().starts_with("uq_provider_warnings")
                && !idx.name().starts_with("idx_provider_warnings")
            {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("DROP INDEX IF EXISTS \"{}\"", idx.name()))
                    .await?;
            }
        }
        drop_all(manager, tables()).await
    }
}
