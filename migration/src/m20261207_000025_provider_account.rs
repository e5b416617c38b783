//! A provider's account status beside its profile (issue 18, the liveness
//! rule at no cost to search).
//!
//! `supply::is_live` asks three things of a provider: its profile approved,
//! not deleted, and its user's account active. Reading the account from
//! `users` cost every search and popularity run a probe per row
//! (docs/performance.md); `service_providers.account_status` holds a copy of
//! `users.status` that the database keeps: set from the user when the row is
//! inserted, and followed whenever the user's status changes, by triggers on
//! both backends, so no writer can forget it. The rule itself stays where it
//! was (`supply::is_live`, the one fragment in `persistence/src/liveness.rs`,
//! and the test that the two agree, which also changes statuses after the
//! rows exist).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Adds `service_providers.account_status` and the triggers that keep it.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const BACKFILL: &str = "UPDATE service_providers SET account_status = \
     (SELECT u.status FROM users u WHERE u.id = service_providers.user_id)";

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION stm_provider_account_follows() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       UPDATE service_providers SET account_status = NEW.status WHERE user_id = NEW.id;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER trg_users_status_to_providers AFTER UPDATE OF status ON users
     FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
     EXECUTE FUNCTION stm_provider_account_follows()",
    "CREATE FUNCTION stm_provider_account_copied() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       NEW.account_status := COALESCE(
         (SELECT u.status FROM users u WHERE u.id = NEW.user_id), NEW.account_status);
       RETURN NEW;
     END $$",
    "CREATE TRIGGER trg_service_providers_account BEFORE INSERT OR UPDATE OF user_id
     ON service_providers FOR EACH ROW EXECUTE FUNCTION stm_provider_account_copied()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS trg_service_providers_account ON service_providers",
    "DROP FUNCTION IF EXISTS stm_provider_account_copied()",
    "DROP TRIGGER IF EXISTS trg_users_status_to_providers ON users",
    "DROP FUNCTION IF EXISTS stm_provider_account_follows()",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER trg_users_status_to_providers AFTER UPDATE OF status ON users
     FOR EACH ROW WHEN OLD.status IS NOT NEW.status BEGIN
       UPDATE service_providers SET account_status = NEW.status WHERE user_id = NEW.id;
     END",
    "CREATE TRIGGER trg_service_providers_account AFTER INSERT ON service_providers
     FOR EACH ROW BEGIN
       UPDATE service_providers SET account_status = COALESCE(
         (SELECT u.status FROM users u WHERE u.id = NEW.user_id), account_status) WHERE id = NEW.id;
     END",
    "CREATE TRIGGER trg_service_providers_account_user AFTER UPDATE OF user_id
     ON service_providers FOR EACH ROW BEGIN
       UPDATE service_providers SET account_status = COALESCE(
         (SELECT u.status FROM users u WHERE u.id = NEW.user_id), account_status) WHERE id = NEW.id;
     END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS trg_service_providers_account_user",
    "DROP TRIGGER IF EXISTS trg_service_providers_account",
    "DROP TRIGGER IF EXISTS trg_users_status_to_providers",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

fn postgres(manager: &SchemaManager<'_>) -> bool {
    manager.get_database_backend() == DbBackend::Postgres
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("service_providers")
                    .add_column(
                        ColumnDef::new("account_status")
                            .string_len(16)
                            .not_null()
                            .default("active"),
                    )
                    .take(),
            )
            .await?;
        run(manager, &[BACKFILL]).await?;
        run(
            manager,
            if postgres(manager) {
                POSTGRES_UP
            } else {
                SQLITE_UP
            },
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            if postgres(manager) {
                POSTGRES_DOWN
            } else {
                SQLITE_DOWN
            },
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("service_providers")
                    .drop_column("account_status")
                    .take(),
            )
            .await
    }
}
