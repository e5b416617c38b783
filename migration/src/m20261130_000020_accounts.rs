//! Accounts a real product needs (SPEC §4 Accounts): one-time tokens for
//! e-mail verification and password reset, what the sessions list shows, and
//! what closing an account leaves behind.
//!
//! - `account_tokens`: only the SHA-256 of each token is kept; `used_at` is set
//!   once, by a conditional update, so two racing confirmations cannot both win.
//!   Issuing a new token of a purpose marks the user's earlier ones used.
//! - `refresh_tokens.user_agent`: the client a session was opened or last
//!   refreshed from (a session is a token family).
//! - `users.deleted_at`: set when the account is anonymised.
//! - `tenants.closed_at`: a sole owner's tenant closed with its records kept.
//! - `service_providers.applicant_email_hash` / `applicant_phone_hash`: keyed
//!   hashes kept on a rejected application when its user leaves, so the
//!   re-application guard still recognises them under a new account.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds account tokens and the columns sessions and closing need.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables of this migration, parents first.
pub(crate) fn tables() -> Vec<TableCreateStatement> {
    vec![account_tokens()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("account_tokens", &["token_hash"]),
        index("account_tokens", &["user_id", "purpose"]),
        index("service_providers", &["applicant_email_hash"])
            .when("applicant_email_hash IS NOT NULL"),
        index("service_providers", &["applicant_phone_hash"])
            .when("applicant_phone_hash IS NOT NULL"),
    ]
}

fn account_tokens() -> TableCreateStatement {
    const T: &str = "account_tokens";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("user_id"))
        .col(varchar("purpose", 32))
        // SHA-256 of the 256-bit secret, hex.
        .col(varchar("token_hash", 128))
        .col(ts("expires_at"))
        .col(ts_null("used_at"))
        .col(created_at())
        .foreign_key(fk(T, "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade))
        .check(one_of(T, "purpose", &["verify_email", "password_reset"]))
        .take()
}

/// `(table, column)` added by this migration, in order.
fn added_columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        ("refresh_tokens", varchar_null("user_agent", 255)),
        ("users", ts_null("deleted_at")),
        ("tenants", ts_null("closed_at")),
        (
            "service_providers",
            varchar_null("applicant_email_hash", 128),
        ),
        (
            "service_providers",
            varchar_null("applicant_phone_hash", 128),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER.
        for (table, col) in added_columns() {
            manager
                .alter_table(Table::alter().table(table).add_column(col).take())
                .await?;
        }
        create_all(manager, tables(), &indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await?;
        let conn = manager.get_connection();
        for idx in ["applicant_email_hash", "applicant_phone_hash"] {
            conn.execute_unprepared(&format!("DROP INDEX IF EXISTS idx_service_providers_{idx}"))
                .await?;
        }
        for (table, col) in added_columns().into_iter().rev() {
            let name = col.get_column_name();
            manager
                .alter_table(Table::alter().table(table).drop_column(name).take())
                .await?;
        }
        Ok(())
    }
}
