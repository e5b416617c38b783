//! Billing, part 1 (SPEC §3 Billing): a tenant's address book, `parties` and
//! `contacts` with client-portal access. `tenants` is created by the identity
//! migration; invoices and payments come after the marketplace tables because
//! an invoice may point at a marketplace transaction, which itself points at
//! a party.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Creates the party and contact tables.
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
    vec![parties(), contacts()]
}

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        index("parties", &["tenant_id", "deleted_at"]).when("deleted_at IS NULL"),
        // One contact per marketplace user and tenant (tenant isolation).
        unique("contacts", &["marketplace_user_id", "tenant_id"])
            .when("marketplace_user_id IS NOT NULL AND deleted_at IS NULL"),
        // Portal login is by tenant + e-mail: unique among live portal contacts.
        unique("contacts", &["tenant_id", "lower(email)"])
            .when("portal_enabled AND deleted_at IS NULL"),
        index("contacts", &["tenant_id", "deleted_at"]).when("deleted_at IS NULL"),
        index("contacts", &["tenant_id", "portal_enabled"]).when("portal_enabled"),
        index("contacts", &["party_id"]).when("party_id IS NOT NULL"),
    ]
}

fn parties() -> TableCreateStatement {
    const T: &str = "parties";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("tenant_id"))
        .col(varchar("kind", 16))
        .col(varchar("display_name", 255))
        .col(varchar_null("email", 320))
        .col(varchar_null("phone", 32))
        .col(ts_null("deleted_at"))
        .col(created_at())
        .col(updated_at())
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Restrict))
        .check(one_of(T, "kind", &["person", "organization"]))
        .take()
}

fn contacts() -> TableCreateStatement {
    const T: &str = "contacts";
    Table::create()
        .table(T)
        .col(id())
        .col(id_ref("tenant_id"))
        .col(id_ref_null("party_id"))
        .col(varchar("first_name", 100))
        .col(varchar("last_name", 100))
        .col(varchar_null("email", 320))
        .col(varchar_null("phone", 32))
        .col(id_ref_null("marketplace_user_id"))
        .col(flag("portal_enabled"))
        .col(varchar_null("portal_password_hash", 255))
        .col(ts_null("portal_last_login"))
        .col(ts_null("deleted_at"))
        .col(created_at())
        .col(updated_at())
        .foreign_key(fk(T, "tenant_id", "tenants", "id").on_delete(ForeignKeyAction::Restrict))
        .foreign_key(&mut fk(T, "party_id", "parties", "id"))
        .foreign_key(
            fk(T, "marketplace_user_id", "users", "id").on_delete(ForeignKeyAction::SetNull),
        )
        // Portal access needs an e-mail to log in with and a password.
        .check(check(
            T,
            "portal_enabled",
            Expr::cust(
                "NOT portal_enabled OR (email IS NOT NULL AND portal_password_hash IS NOT NULL)",
            ),
        ))
        .take()
}
